using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using KdumpDebug.Core.Collections;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// Name to DIE index over a whole <see cref="DwarfInfo"/>: named types (struct, union, class, enum,
/// typedef, base), unit-level variables (definitions and declarations), functions (with code, and
/// inline abstract instances) and enumerators of file-scope enums. Built by one parallel pass over
/// the units (<see cref="Build"/>, see <see cref="NameIndexBuilder"/> for the design), or loaded
/// from a file written by <see cref="Save"/> (keyed by build-id and section sizes).
/// <para>
/// Storage: three parallel arrays sorted by name hash (8 + 4 + 1 bytes per entry; a distribution
/// kernel de-duplicates to a few hundred thousand entries). A lookup hashes the name,
/// binary-searches the hash, and checks each candidate's DW_AT_name (following
/// DW_AT_abstract_origin / DW_AT_specification for unnamed definitions), so a hash collision can
/// never return a wrong DIE. Cost of a lookup: microseconds. Immutable and thread-safe.
/// </para>
/// <para>Order: among matches of one name and kind, lower DIE offsets (earlier units) come first.</para>
/// </summary>
public sealed class DwarfNameIndex
{
    const ulong Magic = 0x3130_5849_5744_444b; // "KDDWIX01" little-endian
    const int FormatVersion = 1;
    const uint TypesBit = 0x8000_0000;

    readonly ulong[] _hashes;
    readonly uint[] _dies;
    readonly byte[] _kinds;
    readonly string[] _errors;

    /// <summary>The debug information the index points into.</summary>
    public DwarfInfo Dwarf { get; }

    /// <summary>Number of entries.</summary>
    public int Count => _hashes.Length;

    /// <summary>One line per unit the indexing pass could not fully decode (the section and offset, and what is wrong).</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Approximate memory held by the index, in bytes.</summary>
    public long MemoryBytes => _hashes.LongLength * 13;

    DwarfNameIndex(DwarfInfo dwarf, ulong[] hashes, uint[] dies, byte[] kinds, string[] errors)
    {
        Dwarf = dwarf;
        _hashes = hashes;
        _dies = dies;
        _kinds = kinds;
        _errors = errors;
    }

    /// <summary>
    /// Indexes every unit of <paramref name="dwarf"/> (one worker per core unless
    /// <paramref name="maxParallelism"/> says otherwise). Cost: one pass over <c>.debug_info</c>,
    /// reading only file-scope DIEs (see <see cref="NameIndexBuilder"/>); memory: the entries plus a
    /// buffer of the largest unit per worker.
    /// </summary>
    public static DwarfNameIndex Build(DwarfInfo dwarf, int? maxParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(dwarf);
        return NameIndexBuilder.Build(dwarf, maxParallelism);
    }

    internal static DwarfNameIndex FromArrays(DwarfInfo dwarf, ulong[] hashes, uint[] dies, byte[] kinds, string[] errors)
    {
        // Sort by hash, then within a hash by (kind, offset): deterministic whatever the build order.
        var (keys, sortedDies, sortedKinds) = RadixSortByHash(hashes, dies, kinds);
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1)
            {
                // Equal hashes: few entries (one name's copies); insertion sort by (kind, die).
                for (var i = start + 1; i < end; i++)
                {
                    var d = sortedDies[i];
                    var k = sortedKinds[i];
                    var j = i - 1;
                    while (j >= start && (sortedKinds[j] > k || (sortedKinds[j] == k && sortedDies[j] > d)))
                    {
                        sortedDies[j + 1] = sortedDies[j];
                        sortedKinds[j + 1] = sortedKinds[j];
                        j--;
                    }
                    sortedDies[j + 1] = d;
                    sortedKinds[j + 1] = k;
                }
            }
            start = end;
        }
        return new DwarfNameIndex(dwarf, keys, sortedDies, sortedKinds, errors);
    }

    /// <summary>The three arrays in ascending hash order (<see cref="KeyOrder"/>: a stable radix permutation).</summary>
    static (ulong[] Hashes, uint[] Dies, byte[] Kinds) RadixSortByHash(ulong[] hashes, uint[] dies, byte[] kinds)
    {
        var order = KeyOrder.Ascending(hashes);
        var h = new ulong[order.Length];
        var d = new uint[order.Length];
        var k = new byte[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            h[i] = hashes[order[i]];
            d[i] = dies[order[i]];
            k[i] = kinds[order[i]];
        }
        return (h, d, k);
    }

    /// <summary>
    /// Every DIE named <paramref name="name"/> of a kind in <paramref name="kinds"/>, in index
    /// order (by kind, then offset). Names are compared exactly (C is case-sensitive).
    /// </summary>
    public List<IndexedDie> Find(string name, NameKinds kinds = NameKinds.All)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new List<IndexedDie>();
        var utf8 = Encoding.UTF8.GetBytes(name);
        Find(utf8, kinds, result, firstOnly: false);
        return result;
    }

    /// <summary>The first match of <paramref name="name"/> among <paramref name="kinds"/>, in the order of <paramref name="kinds"/>' bits (lowest kind first).</summary>
    public bool TryFindFirst(string name, NameKinds kinds, out IndexedDie match)
    {
        ArgumentNullException.ThrowIfNull(name);
        var utf8 = Encoding.UTF8.GetBytes(name);
        var list = new List<IndexedDie>(1);
        Find(utf8, kinds, list, firstOnly: true);
        match = list.Count > 0 ? list[0] : default;
        return list.Count > 0;
    }

    void Find(byte[] utf8, NameKinds kinds, List<IndexedDie> result, bool firstOnly)
    {
        var hash = NameIndexBuilder.Hash(utf8);
        var i = Array.BinarySearch(_hashes, hash);
        if (i < 0) return;
        while (i > 0 && _hashes[i - 1] == hash) i--;
        for (; i < _hashes.Length && _hashes[i] == hash; i++)
        {
            var kind = (NameKind)_kinds[i];
            if (((uint)kinds & (1u << (int)kind)) == 0) continue;
            var raw = _dies[i];
            var inTypes = (raw & TypesBit) != 0;
            var offset = new DebugInfoOffset(raw & ~TypesBit);
            if (!Dwarf.TryGetUnit(offset, inTypes, out var unit)) continue;
            var die = new Die(unit, offset);
            try
            {
                if (kind == NameKind.Enumerator)
                {
                    foreach (var child in die.Children)
                    {
                        if (child.Tag == DwTag.Enumerator && child.TryGetNameBytes(out var n) && n.SequenceEqual(utf8))
                        {
                            result.Add(new IndexedDie(kind, child, die));
                            if (firstOnly) return;
                            break;
                        }
                    }
                    continue;
                }
                if (die.TryGetAttributeFollowingOrigins(DwAt.Name, out var nameValue) && nameValue.StringBytes().SequenceEqual(utf8))
                {
                    result.Add(new IndexedDie(kind, die, default));
                    if (firstOnly) return;
                }
            }
            catch (DumpFormatException)
            {
                // A corrupt candidate is not a match; other candidates may still be.
            }
        }
    }

    /// <summary>Every (kind, DIE offset, in .debug_types) entry, for tests and diagnostics.</summary>
    public IEnumerable<(ulong Hash, NameKind Kind, DebugInfoOffset Die, bool InTypes)> Entries
    {
        get
        {
            for (var i = 0; i < _hashes.Length; i++)
                yield return (_hashes[i], (NameKind)_kinds[i], new DebugInfoOffset(_dies[i] & ~TypesBit), (_dies[i] & TypesBit) != 0);
        }
    }

    /// <summary>Number of entries of each kind.</summary>
    public IReadOnlyDictionary<NameKind, int> CountByKind()
    {
        var counts = new Dictionary<NameKind, int>();
        foreach (var k in _kinds) counts[(NameKind)k] = counts.GetValueOrDefault((NameKind)k) + 1;
        return counts;
    }

    /// <summary>
    /// Writes the index to <paramref name="stream"/> with a header naming <paramref name="buildId"/>
    /// and the sizes of the sections it was built from (about 13 bytes per entry; milliseconds).
    /// </summary>
    public void Save(Stream stream, string? buildId)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(buildId ?? "");
        WriteIdentity(w, Dwarf);
        w.Write(_hashes.Length);
        w.Write(MemoryMarshal.AsBytes(_hashes.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(_dies.AsSpan()));
        w.Write(_kinds);
        w.Write(_errors.Length);
        foreach (var e in _errors) w.Write(e);
        w.Write(Checksum(_hashes, _dies, _kinds));
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/> for the same file, or returns null when the
    /// data is for another build-id or other section sizes, of another format version, truncated or
    /// corrupt (the caller then builds a new one). Cost: one read of the file and a checksum.
    /// </summary>
    public static DwarfNameIndex? TryLoad(DwarfInfo dwarf, Stream stream, string? buildId)
    {
        ArgumentNullException.ThrowIfNull(dwarf);
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (r.ReadUInt64() != Magic || r.ReadInt32() != FormatVersion) return null;
            if (r.ReadString() != (buildId ?? "")) return null;
            using (var expected = new MemoryStream())
            {
                using (var ew = new BinaryWriter(expected, Encoding.UTF8, leaveOpen: true)) WriteIdentity(ew, dwarf);
                var actual = r.ReadBytes((int)expected.Length);
                if (!actual.AsSpan().SequenceEqual(expected.GetBuffer().AsSpan(0, (int)expected.Length))) return null;
            }
            var count = r.ReadInt32();
            if (count < 0 || (long)count * 13 > stream.Length) return null;
            var hashes = new ulong[count];
            var dies = new uint[count];
            var kinds = new byte[count];
            if (r.Read(MemoryMarshal.AsBytes(hashes.AsSpan())) != count * 8) return null;
            if (r.Read(MemoryMarshal.AsBytes(dies.AsSpan())) != count * 4) return null;
            if (r.Read(kinds) != count) return null;
            var errorCount = r.ReadInt32();
            if (errorCount < 0 || errorCount > 1 << 20) return null;
            var errors = new string[errorCount];
            for (var i = 0; i < errorCount; i++) errors[i] = r.ReadString();
            if (r.ReadUInt64() != Checksum(hashes, dies, kinds)) return null;
            for (var i = 1; i < count; i++) if (hashes[i] < hashes[i - 1]) return null;
            return new DwarfNameIndex(dwarf, hashes, dies, kinds, errors);
        }
        // A damaged file reads as garbage lengths and strings: any of these means "rebuild".
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// The index for <paramref name="dwarf"/> from <paramref name="cacheFile"/> when it holds a
    /// valid one for <paramref name="buildId"/>, else built now and written there (best effort: an
    /// unwritable cache only costs the next run a rebuild). With no build-id nothing is cached.
    /// </summary>
    public static DwarfNameIndex LoadOrBuild(DwarfInfo dwarf, string? buildId, string? cacheFile, out bool fromCache)
    {
        fromCache = false;
        if (buildId is not null && cacheFile is not null && File.Exists(cacheFile))
        {
            try
            {
                using var s = new FileStream(cacheFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var loaded = TryLoad(dwarf, s, buildId);
                if (loaded is not null)
                {
                    fromCache = true;
                    return loaded;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        var index = Build(dwarf);
        if (buildId is not null && cacheFile is not null)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
                var tmp = cacheFile + ".tmp" + Environment.ProcessId;
                using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                    index.Save(s, buildId);
                File.Move(tmp, cacheFile, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return index;
    }

    static void WriteIdentity(BinaryWriter w, DwarfInfo dwarf)
    {
        w.Write((long)dwarf.Sections.Info.Length);
        w.Write((long)dwarf.Sections.Abbrev.Length);
        w.Write((long)dwarf.Sections.Str.Length);
        w.Write((long)dwarf.Sections.Types.Length);
        w.Write(dwarf.Units.Count);
    }

    static ulong Checksum(ulong[] hashes, uint[] dies, byte[] kinds)
    {
        var a = NameHash.Of(MemoryMarshal.AsBytes(hashes.AsSpan()));
        var b = NameHash.Of(MemoryMarshal.AsBytes(dies.AsSpan()));
        var c = NameHash.Of(kinds);
        return a ^ BinaryPrimitives.ReverseEndianness(b) ^ (c * 0x9E3779B97F4A7C15);
    }
}
