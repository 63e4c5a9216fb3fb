using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using KdumpDebug.Core.Errors;
using Microsoft.Win32.SafeHandles;

namespace KdumpDebug.Debuginfo.Dwarf.Index;

/*
 * The name index builder: the one eager pass over the DIEs (drgn's DWARF indexer is the model).
 *
 * Units are indexed in parallel (Parallel.For over one worker per core, each taking the next unit,
 * largest first, from a shared counter), one unit at a time. What a worker reads:
 *   - only the children of each unit's root DIE (C declares types, functions and globals at file
 *     scope) and the enumerators of file-scope enumerations. Everything else (struct members,
 *     function bodies, inline trees, call sites: most of .debug_info) is skipped with DW_AT_sibling,
 *     which GCC and Clang put on DIEs with children; where it is missing, the subtree is walked.
 *   - attributes through a per-unit "skip program": the unit's abbreviation table is compiled
 *     straight from .debug_abbrev into byte instructions per code (skip N fixed bytes, skip a
 *     LEB128, a string or a block, or capture one of the few attributes the index needs: name,
 *     sibling, specification/abstract origin, decl_line, byte_size, declaration). Runs of
 *     fixed-size attributes collapse into one skip. No Abbreviation objects are created.
 *     decl_line, byte_size and declaration are captured only for the tags indexed with them, so
 *     most pointer, const, parameter and subrange DIEs compile to one skip, which the walk adds
 *     without running a program; fixed-size captures (strp, data1/2/4, ref4, flag) decode inline.
 *   - .debug_info through positioned reads into a reusable per-worker buffer when the section is
 *     stored plainly in the file, so the pass does not fault 100+ MB of the mapping into the
 *     process (resident memory stays small; the page cache keeps the data either way).
 * Names are keyed by their .debug_str offset while walking (the linker merges equal strings, so
 * one name has one offset in the whole file) and hashed once per distinct entry at the end
 * (split over the workers), then radix-sorted by hash. The loop allocates nothing per DIE.
 *
 * De-duplication: a kernel header's types are emitted again in every unit that uses them (struct
 * list_head in thousands of units). Type entries are kept once per (name, kind, decl_line,
 * byte_size); declarations once per (name, kind); inline (abstract) functions once per (name,
 * decl_line); enumerators once per (name, decl_line and size of their enum). The copy kept is the
 * one at the lowest offset, so the index is the same whatever the thread timing. Each worker
 * keeps its own table (one array of 24-byte slots: a probe is one cache line); the merge adds the
 * smaller tables into the fullest one. Variables and functions with code are all kept (static
 * ones of one name live in many units).
 *
 * Errors: a unit that cannot be decoded (an undefined abbreviation code, an unknown form, a sibling
 * outside the unit, data past its end) is reported, and the entries found before the error are
 * kept; other units are unaffected.
 */
internal static class NameIndexBuilder
{
    // Slots the skip program can capture.
    const int SlotName = 0, SlotSibling = 1, SlotOrigin = 2, SlotDeclLine = 3, SlotByteSize = 4, SlotDeclaration = 5, SlotCount = 6;

    // Abbreviation flags.
    const ushort FChildren = 1, FName = 2, FSibling = 4, FOrigin = 8, FCode = 16, FInline = 32, FLocation = 64,
        FDeclPresent = 128, FDeclFlag = 256, FDeclLine = 512, FByteSize = 1024, FSlow = 2048, FOriginAddr = 4096;

    // Skip-program opcodes; 1..0x7f skip that many bytes.
    const byte OpEnd = 0, OpLeb = 0x80, OpString = 0x81, OpBlock1 = 0x82, OpBlock2 = 0x83, OpBlock4 = 0x84, OpBlockLeb = 0x85,
        OpCapture = 0xa0, // OpCapture + slot, then the form (low byte)
        OpCaptureFixed = 0xb0; // + 8 * log2(size) + slot: a little-endian value of 1, 2, 4 or 8 bytes, no form byte

    // Name keys: a .debug_str offset, a .debug_line_str offset, or (inline strings) the name's hash.
    const ulong KeyStr = 1UL << 63, KeyLineStr = 1UL << 62, KeyHashMask = (1UL << 62) - 1;

    const uint TypesBit = 0x8000_0000;

    /// <summary>Builds the index of every unit of <paramref name="dwarf"/>.</summary>
    public static DwarfNameIndex Build(DwarfInfo dwarf, int? maxParallelism = null)
    {
        var trace = Environment.GetEnvironmentVariable("KDUMPDEBUG_INDEX_TRACE") is not null;
        var clock = Stopwatch.StartNew();
        var units = dwarf.Units;
        if ((uint)dwarf.Sections.Info.Length >= TypesBit || (uint)dwarf.Sections.Types.Length >= TypesBit)
            throw new DumpFormatException(dwarf.Path, null, ".debug_info", "sections of 2 GiB or more are not supported by the name index");
        var order = Enumerable.Range(0, units.Count)
            .OrderByDescending(i => units[i].EndOffset.Value - units[i].Offset.Value).ToArray();
        SafeFileHandle? file = null;
        if (dwarf.Sections.InfoInFile is not null)
        {
            try { file = File.OpenHandle(dwarf.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { file = null; }
        }
        // Exactly one worker per core, each taking the next unit (largest first) from a shared
        // counter: Parallel.For over units would let the thread pool add workers when the machine
        // is busy, and every extra worker means another de-duplication table to merge.
        var workerCount = Math.Max(1, Math.Min(maxParallelism ?? Environment.ProcessorCount, order.Length));
        var workers = new Worker[workerCount];
        var next = -1;
        try
        {
            Parallel.For(0, workerCount, new ParallelOptions { MaxDegreeOfParallelism = workerCount }, w =>
            {
                var worker = workers[w] = new Worker(dwarf, file);
                for (var i = Interlocked.Increment(ref next); i < order.Length; i = Interlocked.Increment(ref next))
                    worker.IndexUnit(units[order[i]]);
            });
        }
        finally
        {
            file?.Dispose();
        }
        var walked = clock.Elapsed.TotalMilliseconds;
        var uniqueCounts = string.Join("+", workers.Select(w => w.Unique.Count));
        var index = Merge(dwarf, workers);
        if (trace)
            Console.Error.WriteLine($"name index: walk {walked:F0} ms ({string.Join(", ", workers.Select(w => $"{w.UnitCount} units {w.Busy.TotalMilliseconds:F0} ms"))}), merge {clock.Elapsed.TotalMilliseconds - walked:F0} ms of {uniqueCounts} de-duplicated, {index.Count} entries");
        return index;
    }

    static DwarfNameIndex Merge(DwarfInfo dwarf, Worker[] workers)
    {
        // Unique entries: the lowest DIE offset per key across workers, gathered into the fullest
        // worker's table (AddMin keeps the minimum, so the result is the same whichever absorbs).
        var unique = workers.MaxBy(w => w.Unique.Count)!.Unique;
        foreach (var w in workers)
            if (w.Unique != unique) unique.AddAll(w.Unique);
        var keptCount = workers.Sum(w => w.KeptCount);
        var count = unique.Count + keptCount;
        var hashes = new ulong[count]; // name keys first, hashed in place below
        var dies = new uint[count];
        var kinds = new byte[count];
        var n = 0;
        foreach (ref readonly var slot in unique.Slots)
        {
            if (slot.Value == 0) continue;
            hashes[n] = slot.K1;
            dies[n] = slot.Value;
            kinds[n] = (byte)(slot.K2 >> 56);
            n++;
        }
        var errors = new List<DumpFormatException>();
        foreach (var w in workers)
        {
            w.KeptKeys.AsSpan(0, w.KeptCount).CopyTo(hashes.AsSpan(n));
            w.KeptDies.AsSpan(0, w.KeptCount).CopyTo(dies.AsSpan(n));
            w.KeptKinds.AsSpan(0, w.KeptCount).CopyTo(kinds.AsSpan(n));
            n += w.KeptCount;
            errors.AddRange(w.Errors);
        }
        // Hashing reads each name from .debug_str: split over the workers' cores.
        var chunks = workers.Length;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var str = dwarf.Sections.Str;
            var lineStr = dwarf.Sections.LineStr;
            var end = (int)((long)count * (c + 1) / chunks);
            for (var i = (int)((long)count * c / chunks); i < end; i++) hashes[i] = HashOfKey(hashes[i], str, lineStr);
        });
        errors.Sort((a, b) => (a.Offset ?? 0).CompareTo(b.Offset ?? 0));
        return DwarfNameIndex.FromArrays(dwarf, hashes, dies, kinds, [.. errors.Select(e => e.Message)]);
    }

    static ulong HashOfKey(ulong key, ReadOnlySpan<byte> str, ReadOnlySpan<byte> lineStr)
    {
        if ((key & (KeyStr | KeyLineStr)) == 0) return key;
        var table = (key & KeyStr) != 0 ? str : lineStr;
        var offset = (int)(key & KeyHashMask); // checked against the section when captured
        var rest = table[offset..];
        var length = rest.IndexOf((byte)0);
        return Hash(rest[..(length < 0 ? rest.Length : length)]);
    }

    /// <summary>The index's hash of a name, with the two key-tag bits cleared.</summary>
    internal static ulong Hash(ReadOnlySpan<byte> name) => NameHash.Of(name) & KeyHashMask;

    /// <summary>Per-thread state: buffers reused from unit to unit, and the entries found.</summary>
    sealed class Worker
    {
        readonly DwarfInfo _dwarf;
        readonly SafeFileHandle? _file;
        readonly ulong _infoFileOffset;
        // Section lengths, read once: each Sections property goes through a Lazy and a Memory.
        readonly ulong _strLength, _lineStrLength;
        byte[] _buffer = [];
        // The compiled abbreviation table of the current unit, by code.
        int[] _opStart = new int[512];
        ushort[] _flags = new ushort[512];
        ushort[] _tag = new ushort[512];
        uint[] _implicitDeclLine = new uint[512];
        uint[] _implicitByteSize = new uint[512];
        byte[] _nameForm = new byte[512];
        // The byte size of a DIE whose program is a single skip (no captures, no variable-size form), else -1.
        short[] _fixedSize = new short[512];
        byte[] _ops = new byte[1 << 14];
        int _maxCode;
        (ulong Offset, int AddressSize, bool Offset64, bool V2) _compiledFor = (ulong.MaxValue, 0, false, false);

        public readonly DedupTable Unique = new(16);
        public ulong[] KeptKeys = new ulong[1 << 12];
        public uint[] KeptDies = new uint[1 << 12];
        public byte[] KeptKinds = new byte[1 << 12];
        public int KeptCount;
        public readonly List<DumpFormatException> Errors = [];
        public int UnitCount;
        public TimeSpan Busy;

        public Worker(DwarfInfo dwarf, SafeFileHandle? file)
        {
            _dwarf = dwarf;
            _file = file;
            _infoFileOffset = dwarf.Sections.InfoInFile?.FileOffset ?? 0;
            _strLength = (ulong)dwarf.Sections.Str.Length;
            _lineStrLength = (ulong)dwarf.Sections.LineStr.Length;
        }

        public void IndexUnit(DwarfUnit unit)
        {
            var start = Stopwatch.GetTimestamp();
            UnitCount++;
            try
            {
                var length = (int)(unit.EndOffset.Value - unit.Offset.Value);
                ReadOnlySpan<byte> data;
                if (_file is not null && !unit.IsInTypesSection)
                {
                    if (_buffer.Length < length) _buffer = new byte[Math.Max(length, 1 << 20)];
                    var read = 0;
                    while (read < length)
                    {
                        var n = RandomAccess.Read(_file, _buffer.AsSpan(read, length - read), (long)(_infoFileOffset + unit.Offset.Value) + read);
                        if (n <= 0) throw new DumpFormatException(_dwarf.Path, (long)unit.Offset.Value, ".debug_info", "the file ended while reading the unit");
                        read += n;
                    }
                    data = _buffer.AsSpan(0, length);
                }
                else
                {
                    data = (unit.IsInTypesSection ? _dwarf.Sections.Types : _dwarf.Sections.Info).Slice((int)unit.Offset.Value, length);
                }
                Compile(unit);
                Walk(unit, data);
            }
            catch (DumpFormatException e)
            {
                Errors.Add(e);
            }
            Busy += Stopwatch.GetElapsedTime(start);
        }

        /// <summary>Compiles the unit's abbreviation table from <c>.debug_abbrev</c> into skip programs (reused while units share a table).</summary>
        void Compile(DwarfUnit unit)
        {
            var key = (unit.AbbrevOffset.Value, unit.AddressSize, unit.Is64BitFormat, unit.Version <= 2);
            if (key == _compiledFor) return;
            _compiledFor = (ulong.MaxValue, 0, false, false);
            for (var i = 0; i <= _maxCode; i++) _opStart[i] = -1;
            _maxCode = 0;
            var abbrev = _dwarf.Sections.Abbrev;
            var c = new DwarfCursor(abbrev, (int)unit.AbbrevOffset.Value, abbrev.Length, _dwarf.Path, ".debug_abbrev");
            var ops = 0;
            while (!c.AtEnd)
            {
                var declStart = c.Position;
                var code64 = c.Uleb();
                if (code64 == 0) break;
                if (code64 > 1 << 20)
                    throw c.ErrorAt(declStart, $"abbreviation code {code64} is too large for the indexer (codes are expected to be small)");
                var code = (int)code64;
                if (code >= _opStart.Length) Grow(code + 1);
                if (code <= _maxCode && _opStart[code] >= 0) throw c.ErrorAt(declStart, $"abbreviation code {code} is defined twice in the table");
                for (var i = _maxCode + 1; i < code; i++) _opStart[i] = -1;
                if (code > _maxCode) _maxCode = code;
                var tag = c.Uleb();
                var children = c.U8();
                _opStart[code] = ops;
                _tag[code] = (ushort)Math.Min(tag, ushort.MaxValue);
                _implicitDeclLine[code] = 0;
                _implicitByteSize[code] = 0;
                _nameForm[code] = 0;
                ushort flags = children != 0 ? FChildren : (ushort)0;
                // decl_line, byte_size and declaration matter only for the tags the walk indexes
                // with them (Aux, IsDeclaration); for the rest (pointer, const, member, parameter,
                // array... types: most DIEs the walk visits) they are skipped, so fixed-size runs
                // merge into one skip.
                var usesAux = (DwTag)tag is DwTag.BaseType or DwTag.StructureType or DwTag.UnionType or DwTag.ClassType
                    or DwTag.Typedef or DwTag.EnumerationType or DwTag.Subprogram or DwTag.Variable;
                var pendingSkip = 0;
                while (true)
                {
                    var name = (DwAt)Math.Min(c.Uleb(), ushort.MaxValue);
                    var formValue = c.Uleb();
                    if (name == 0 && formValue == 0) break;
                    var form = (DwForm)Math.Min(formValue, ushort.MaxValue);
                    long implicitConst = form == DwForm.ImplicitConst ? c.Sleb() : 0;
                    var slot = -1;
                    ushort slotFlag = 0;
                    switch (name)
                    {
                        case DwAt.Name: slot = SlotName; slotFlag = FName; break;
                        case DwAt.Sibling: slot = SlotSibling; slotFlag = FSibling; break;
                        case DwAt.Specification or DwAt.AbstractOrigin:
                            slot = SlotOrigin; slotFlag = form == DwForm.RefAddr ? (ushort)(FOrigin | FOriginAddr) : FOrigin; break;
                        case DwAt.DeclLine when usesAux: slot = SlotDeclLine; slotFlag = FDeclLine; break;
                        case DwAt.ByteSize when usesAux: slot = SlotByteSize; slotFlag = FByteSize; break;
                        case DwAt.Declaration:
                            if (form == DwForm.Flag) { if (usesAux) { slot = SlotDeclaration; slotFlag = FDeclFlag; } }
                            else if (form != DwForm.ImplicitConst || implicitConst != 0) flags |= FDeclPresent;
                            break;
                        case DwAt.LowPc or DwAt.Ranges: flags |= FCode; break;
                        case DwAt.Inline: flags |= FInline; break;
                        case DwAt.Location: flags |= FLocation; break;
                    }
                    if (form == DwForm.ImplicitConst)
                    {
                        // A constant of the abbreviation: known now, nothing to read per DIE.
                        if (name == DwAt.DeclLine) _implicitDeclLine[code] = (uint)implicitConst;
                        if (name == DwAt.ByteSize) _implicitByteSize[code] = (uint)implicitConst;
                        continue;
                    }
                    if (slot >= 0 && CanCapture(form))
                    {
                        flags |= slotFlag;
                        if (slot == SlotName) _nameForm[code] = (byte)form;
                        Flush(ref ops, ref pendingSkip);
                        var fixedSize = FixedCaptureSize(form, unit);
                        if (fixedSize > 0)
                        {
                            // The common forms (strp, data1/2/4, ref4, flag) decode inline in Run.
                            Emit(ref ops, (byte)(OpCaptureFixed + 8 * System.Numerics.BitOperations.Log2((uint)fixedSize) + slot));
                            continue;
                        }
                        Emit(ref ops, (byte)(OpCapture + slot));
                        Emit(ref ops, (byte)form);
                        continue;
                    }
                    // Not captured (a form the fast path does not decode counts as absent): skip it.
                    var size = AbbreviationTable.FormSize(form, unit.AddressSize, unit.Is64BitFormat, unit.Version);
                    if (size >= 0)
                    {
                        pendingSkip += size;
                        continue;
                    }
                    Flush(ref ops, ref pendingSkip);
                    switch (form)
                    {
                        case DwForm.Sdata or DwForm.Udata or DwForm.Strx or DwForm.Addrx or DwForm.Loclistx or DwForm.Rnglistx
                            or DwForm.RefUdata or DwForm.GnuAddrIndex or DwForm.GnuStrIndex:
                            Emit(ref ops, OpLeb); break;
                        case DwForm.String: Emit(ref ops, OpString); break;
                        case DwForm.Block1: Emit(ref ops, OpBlock1); break;
                        case DwForm.Block2: Emit(ref ops, OpBlock2); break;
                        case DwForm.Block4: Emit(ref ops, OpBlock4); break;
                        case DwForm.Block or DwForm.Exprloc: Emit(ref ops, OpBlockLeb); break;
                        default:
                            // DW_FORM_indirect or an unknown form: DIEs of this abbreviation take the general reader.
                            flags |= FSlow;
                            break;
                    }
                }
                Flush(ref ops, ref pendingSkip);
                Emit(ref ops, OpEnd);
                _flags[code] = flags;
                // A program that is one skip (or nothing): the walk adds it without running it.
                var length = ops - _opStart[code];
                _fixedSize[code] = (flags & FSlow) != 0 ? (short)-1
                    : length == 1 ? (short)0
                    : length == 2 && _ops[_opStart[code]] < 0x80 ? _ops[_opStart[code]] : (short)-1;
            }
            _compiledFor = key;
        }

        /// <summary>The size of a fixed-size capturable form as <see cref="Capture"/> reads it, else 0.</summary>
        static int FixedCaptureSize(DwForm form, DwarfUnit unit) => form switch
        {
            DwForm.Data1 or DwForm.Ref1 or DwForm.Strx1 or DwForm.Flag => 1,
            DwForm.Data2 or DwForm.Ref2 or DwForm.Strx2 => 2,
            DwForm.Data4 or DwForm.Ref4 or DwForm.Strx4 => 4,
            DwForm.Data8 or DwForm.Ref8 => 8,
            DwForm.Strp or DwForm.LineStrp or DwForm.RefAddr =>
                form == DwForm.RefAddr && unit.Version <= 2 ? (unit.AddressSize is 4 or 8 ? unit.AddressSize : 0) : unit.OffsetSize,
            _ => 0,
        };

        static bool CanCapture(DwForm form) => form is DwForm.Data1 or DwForm.Data2 or DwForm.Data4 or DwForm.Data8 or DwForm.Udata
            or DwForm.Sdata or DwForm.Ref1 or DwForm.Ref2 or DwForm.Ref4 or DwForm.Ref8 or DwForm.RefUdata or DwForm.RefAddr
            or DwForm.Strp or DwForm.LineStrp or DwForm.String or DwForm.Strx or DwForm.Strx1 or DwForm.Strx2 or DwForm.Strx3
            or DwForm.Strx4 or DwForm.Flag;

        void Flush(ref int ops, ref int pending)
        {
            while (pending > 0)
            {
                var n = Math.Min(pending, 0x7f);
                Emit(ref ops, (byte)n);
                pending -= n;
            }
        }

        void Emit(ref int ops, byte op)
        {
            if (ops == _ops.Length) Array.Resize(ref _ops, _ops.Length * 2);
            _ops[ops++] = op;
        }

        void Grow(int size)
        {
            size = Math.Max(size, _opStart.Length * 2);
            var old = _opStart.Length;
            Array.Resize(ref _opStart, size);
            _opStart.AsSpan(old).Fill(-1);
            Array.Resize(ref _flags, size);
            Array.Resize(ref _tag, size);
            Array.Resize(ref _implicitDeclLine, size);
            Array.Resize(ref _implicitByteSize, size);
            Array.Resize(ref _nameForm, size);
            Array.Resize(ref _fixedSize, size);
        }

        /// <summary>The walk over one unit; <paramref name="data"/> is the whole unit (header included).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Walk(DwarfUnit unit, ReadOnlySpan<byte> data)
        {
            var unitBase = unit.Offset.Value;
            var pos = (int)(unit.FirstDieOffset.Value - unitBase);
            var end = data.Length;
            Span<ulong> slots = stackalloc ulong[SlotCount];
            var typesBit = unit.IsInTypesSection ? TypesBit : 0u;

            // The root DIE.
            var rootCode = ReadCode(data, ref pos, end, unit);
            if (rootCode == 0) return;
            if ((_flags[rootCode] & FSlow) != 0)
            {
                var root = new Die(unit, unit.FirstDieOffset);
                if (!root.HasChildren) return;
                pos = (int)((ulong)root.FirstChildPosition() - unitBase);
            }
            else
            {
                Run(unit, data, ref pos, end, rootCode, slots);
                if ((_flags[rootCode] & FChildren) == 0) return;
            }

            var depth = 1;
            var inEnum = false;
            uint enumDie = 0;
            ulong enumAux = 0;
            while (pos < end)
            {
                var dieStart = pos;
                var code = ReadCode(data, ref pos, end, unit);
                if (code == 0)
                {
                    depth--;
                    if (depth == 0) return;
                    if (depth == 1) inEnum = false;
                    continue;
                }
                var flags = _flags[code];
                if ((flags & FSlow) != 0)
                {
                    SlowDie(unit, dieStart, ref pos, depth);
                    continue;
                }
                // Slots are read below only under the flags of their captures, so a DIE without
                // captures (pointer, const, parameter types...) need not run its program.
                var fixedSize = _fixedSize[code];
                if (fixedSize >= 0)
                {
                    pos += fixedSize;
                    if (pos > end) ThrowPastEnd(unit, pos);
                }
                else Run(unit, data, ref pos, end, code, slots);
                var tag = (DwTag)_tag[code];
                if (depth == 1)
                {
                    var descend = false;
                    var die = (uint)(unitBase + (ulong)dieStart) | typesBit;
                    switch (tag)
                    {
                        case DwTag.BaseType or DwTag.StructureType or DwTag.UnionType or DwTag.ClassType or DwTag.Typedef:
                            if ((flags & FName) != 0) AddType(unit, data, tag, flags, code, slots, die);
                            break;
                        case DwTag.EnumerationType:
                            if ((flags & FName) != 0) AddType(unit, data, tag, flags, code, slots, die);
                            if ((flags & FChildren) != 0)
                            {
                                descend = true;
                                inEnum = true;
                                enumDie = die;
                                enumAux = Aux(flags, code, slots) | (ulong)NameKind.Enumerator << 56;
                            }
                            break;
                        case DwTag.Subprogram:
                            if ((flags & (FCode | FInline)) != 0 && !IsDeclaration(flags, slots))
                                AddNamed(unit, data, (flags & FCode) != 0 ? NameKind.Function : NameKind.InlineFunction, flags, code, slots, die);
                            break;
                        case DwTag.Variable:
                            if ((flags & FLocation) != 0)
                                AddNamed(unit, data, NameKind.Variable, flags, code, slots, die);
                            else if (IsDeclaration(flags, slots))
                                AddNamed(unit, data, NameKind.VariableDeclaration, flags, code, slots, die);
                            break;
                    }
                    if ((flags & FChildren) != 0)
                    {
                        if (!descend && (flags & FSibling) != 0)
                        {
                            var sibling = slots[SlotSibling];
                            if (sibling <= (ulong)dieStart || sibling > (ulong)end)
                                throw new DumpFormatException(_dwarf.Path, (long)(unitBase + (ulong)dieStart), unit.SectionName,
                                    $"DW_AT_sibling 0x{unitBase + sibling:x} is not after the DIE and inside its unit (end 0x{unitBase + (ulong)end:x})");
                            pos = (int)sibling;
                        }
                        else depth++;
                    }
                }
                else
                {
                    if (inEnum && depth == 2 && tag == DwTag.Enumerator && (flags & FName) != 0)
                        Unique.AddMin(NameKey(unit, data, _nameForm[code], slots[SlotName]), enumAux, enumDie);
                    if ((flags & FChildren) != 0) depth++;
                }
            }
        }

        static bool IsDeclaration(ushort flags, Span<ulong> slots) =>
            (flags & FDeclPresent) != 0 || ((flags & FDeclFlag) != 0 && slots[SlotDeclaration] != 0);

        /// <summary>decl_line in the low 32 bits, byte_size (24 bits) above; the kind goes in the top byte.</summary>
        ulong Aux(ushort flags, int code, Span<ulong> slots)
        {
            var line = (flags & FDeclLine) != 0 ? slots[SlotDeclLine] & 0xffff_ffff : _implicitDeclLine[code];
            var size = (flags & FByteSize) != 0 ? slots[SlotByteSize] & 0xff_ffff : _implicitByteSize[code] & 0xff_ffff;
            return line | size << 32;
        }

        void AddType(DwarfUnit unit, ReadOnlySpan<byte> data, DwTag tag, ushort flags, int code, Span<ulong> slots, uint die)
        {
            var declaration = IsDeclaration(flags, slots);
            var kind = tag switch
            {
                DwTag.BaseType => NameKind.BaseType,
                DwTag.StructureType => declaration ? NameKind.StructDeclaration : NameKind.Struct,
                DwTag.UnionType => declaration ? NameKind.UnionDeclaration : NameKind.Union,
                DwTag.ClassType => declaration ? NameKind.ClassDeclaration : NameKind.Class,
                DwTag.EnumerationType => declaration ? NameKind.EnumDeclaration : NameKind.Enum,
                _ => NameKind.Typedef,
            };
            var aux = declaration ? 0 : Aux(flags, code, slots);
            Unique.AddMin(NameKey(unit, data, _nameForm[code], slots[SlotName]), aux | (ulong)kind << 56, die);
        }

        void AddNamed(DwarfUnit unit, ReadOnlySpan<byte> data, NameKind kind, ushort flags, int code, Span<ulong> slots, uint die)
        {
            ulong key;
            if ((flags & FName) != 0) key = NameKey(unit, data, _nameForm[code], slots[SlotName]);
            else if ((flags & FOrigin) == 0 || !TryOriginNameKey(unit, data, flags, slots[SlotOrigin], out key)) return;
            switch (kind)
            {
                case NameKind.VariableDeclaration:
                    Unique.AddMin(key, (ulong)kind << 56, die);
                    break;
                case NameKind.InlineFunction:
                    Unique.AddMin(key, (Aux(flags, code, slots) & 0xffff_ffff) | (ulong)kind << 56, die);
                    break;
                default:
                    if (KeptCount == KeptKeys.Length)
                    {
                        Array.Resize(ref KeptKeys, KeptCount * 2);
                        Array.Resize(ref KeptDies, KeptCount * 2);
                        Array.Resize(ref KeptKinds, KeptCount * 2);
                    }
                    KeptKeys[KeptCount] = key;
                    KeptDies[KeptCount] = die;
                    KeptKinds[KeptCount] = (byte)kind;
                    KeptCount++;
                    break;
            }
        }

        /// <summary>
        /// The name of a DIE that has none of its own (an out-of-line instance, or a definition
        /// completing a declaration) comes from the DIE its DW_AT_abstract_origin or
        /// DW_AT_specification names; up to 4 steps.
        /// </summary>
        bool TryOriginNameKey(DwarfUnit unit, ReadOnlySpan<byte> data, ushort flags, ulong origin, out ulong key)
        {
            Span<ulong> slots = stackalloc ulong[SlotCount];
            for (var step = 0; step < 4; step++)
            {
                if ((flags & FOriginAddr) != 0)
                {
                    // A reference into another unit: decode it with the general reader.
                    try
                    {
                        var die = _dwarf.GetDie(new DebugInfoOffset(origin));
                        if (die.TryGetAttributeFollowingOrigins(DwAt.Name, out var name))
                        {
                            key = Hash(name.StringBytes());
                            return true;
                        }
                    }
                    catch (DumpFormatException) { }
                    key = 0;
                    return false;
                }
                // Unit-relative: decode the target in this unit's bytes.
                if (origin >= (ulong)data.Length || origin < unit.FirstDieOffset.Value - unit.Offset.Value)
                    throw new DumpFormatException(_dwarf.Path, (long)unit.Offset.Value, unit.SectionName,
                        $"DW_AT_abstract_origin/specification 0x{origin:x} (unit-relative) is outside the unit");
                var pos = (int)origin;
                var target = ReadCode(data, ref pos, data.Length, unit);
                if (target == 0 || (_flags[target] & FSlow) != 0) break;
                Run(unit, data, ref pos, data.Length, target, slots);
                var f = _flags[target];
                if ((f & FName) != 0)
                {
                    key = NameKey(unit, data, _nameForm[target], slots[SlotName]);
                    return true;
                }
                if ((f & FOrigin) == 0) break;
                flags = f;
                origin = slots[SlotOrigin];
            }
            key = 0;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        int ReadCode(ReadOnlySpan<byte> data, ref int pos, int end, DwarfUnit unit)
        {
            if ((uint)pos >= (uint)end) ThrowPastEnd(unit, pos);
            int b = data[pos++];
            if (b < 0x80)
            {
                if (b != 0 && (b > _maxCode || _opStart[b] < 0)) ThrowUndefined(unit, pos - 1, (ulong)b);
                return b;
            }
            ulong code = (ulong)(b & 0x7f);
            var shift = 7;
            while (true)
            {
                if ((uint)pos >= (uint)end) ThrowPastEnd(unit, pos);
                b = data[pos++];
                if (shift < 63) code |= (ulong)(b & 0x7f) << shift;
                shift += 7;
                if (b < 0x80) break;
            }
            if (code > (ulong)_maxCode || _opStart[(int)code] < 0) ThrowUndefined(unit, pos, code);
            return (int)code;
        }

        /// <summary>Runs the skip program of abbreviation <paramref name="code"/>, capturing into <paramref name="slots"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Run(DwarfUnit unit, ReadOnlySpan<byte> data, ref int pos, int end, int code, Span<ulong> slots)
        {
            var ops = _ops;
            var ip = _opStart[code];
            while (true)
            {
                var op = ops[ip++];
                if (op == OpEnd) return;
                if (op < 0x80)
                {
                    pos += op;
                    if (pos > end) ThrowPastEnd(unit, pos);
                    continue;
                }
                if (op >= OpCaptureFixed)
                {
                    var log2 = (op - OpCaptureFixed) >> 3;
                    var size = 1 << log2;
                    if (pos + size > end) ThrowPastEnd(unit, pos);
                    var bytes = data.Slice(pos, size);
                    slots[op & 7] = log2 switch
                    {
                        0 => bytes[0],
                        1 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                        2 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                    };
                    pos += size;
                    continue;
                }
                switch (op)
                {
                    case OpLeb:
                        while (true)
                        {
                            if ((uint)pos >= (uint)end) ThrowPastEnd(unit, pos);
                            if (data[pos++] < 0x80) break;
                        }
                        break;
                    case OpString:
                    {
                        if (pos >= end) ThrowPastEnd(unit, pos);
                        var n = data[pos..end].IndexOf((byte)0);
                        if (n < 0) ThrowPastEnd(unit, end);
                        pos += n + 1;
                        break;
                    }
                    case OpBlock1:
                        if (pos >= end) ThrowPastEnd(unit, pos);
                        pos += 1 + data[pos];
                        if (pos > end) ThrowPastEnd(unit, pos);
                        break;
                    case OpBlock2:
                        if (pos + 2 > end) ThrowPastEnd(unit, pos);
                        pos += 2 + BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(pos, 2));
                        if (pos > end) ThrowPastEnd(unit, pos);
                        break;
                    case OpBlock4:
                    {
                        if (pos + 4 > end) ThrowPastEnd(unit, pos);
                        var n = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(pos, 4));
                        if (n > (uint)(end - pos - 4)) ThrowPastEnd(unit, end + 1);
                        pos += 4 + (int)n;
                        break;
                    }
                    case OpBlockLeb:
                    {
                        var n = Leb(data, ref pos, end, unit);
                        if (n > (ulong)(end - pos)) ThrowPastEnd(unit, end + 1);
                        pos += (int)n;
                        break;
                    }
                    default:
                        slots[op - OpCapture] = Capture(unit, data, ref pos, end, (DwForm)ops[ip++]);
                        break;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        ulong Capture(DwarfUnit unit, ReadOnlySpan<byte> data, ref int pos, int end, DwForm form)
        {
            ulong v;
            switch (form)
            {
                case DwForm.Data1 or DwForm.Ref1 or DwForm.Strx1 or DwForm.Flag:
                    if (pos + 1 > end) ThrowPastEnd(unit, pos);
                    return data[pos++];
                case DwForm.Data2 or DwForm.Ref2 or DwForm.Strx2:
                    if (pos + 2 > end) ThrowPastEnd(unit, pos);
                    v = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(pos, 2));
                    pos += 2;
                    return v;
                case DwForm.Strx3:
                    if (pos + 3 > end) ThrowPastEnd(unit, pos);
                    v = data[pos] | (ulong)data[pos + 1] << 8 | (ulong)data[pos + 2] << 16;
                    pos += 3;
                    return v;
                case DwForm.Data4 or DwForm.Ref4 or DwForm.Strx4:
                    if (pos + 4 > end) ThrowPastEnd(unit, pos);
                    v = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(pos, 4));
                    pos += 4;
                    return v;
                case DwForm.Data8 or DwForm.Ref8:
                    if (pos + 8 > end) ThrowPastEnd(unit, pos);
                    v = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(pos, 8));
                    pos += 8;
                    return v;
                case DwForm.Strp or DwForm.LineStrp or DwForm.RefAddr:
                {
                    // DWARF 2 sized DW_FORM_ref_addr like an address.
                    var size = form == DwForm.RefAddr && unit.Version <= 2 ? unit.AddressSize : unit.OffsetSize;
                    if (pos + size > end) ThrowPastEnd(unit, pos);
                    v = size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(pos, 8)) : BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(pos, 4));
                    pos += size;
                    return v;
                }
                case DwForm.Udata or DwForm.RefUdata or DwForm.Strx:
                    return Leb(data, ref pos, end, unit);
                case DwForm.Sdata:
                {
                    var c = new DwarfCursor(data, pos, end, _dwarf.Path, unit.SectionName);
                    v = (ulong)c.Sleb();
                    pos = c.Position;
                    return v;
                }
                default: // DwForm.String: the value is where the string starts
                {
                    var start = pos;
                    if (pos >= end) ThrowPastEnd(unit, pos);
                    var n = data[pos..end].IndexOf((byte)0);
                    if (n < 0) ThrowPastEnd(unit, end);
                    pos += n + 1;
                    return (ulong)start;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        static ulong Leb(ReadOnlySpan<byte> data, ref int pos, int end, DwarfUnit unit)
        {
            ulong result = 0;
            var shift = 0;
            while (true)
            {
                if ((uint)pos >= (uint)end) ThrowPastEnd(unit, pos);
                var b = data[pos++];
                if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
                shift += 7;
                if (b < 0x80) return result;
            }
        }

        /// <summary>The key of a name: its <c>.debug_str</c> (or <c>.debug_line_str</c>) offset, or for an inline string its hash.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        ulong NameKey(DwarfUnit unit, ReadOnlySpan<byte> data, byte form, ulong value)
        {
            switch ((DwForm)form)
            {
                case DwForm.String:
                {
                    var rest = data[(int)value..];
                    return Hash(rest[..rest.IndexOf((byte)0)]); // the NUL was found when the string was captured
                }
                case DwForm.Strp:
                    if (value >= _strLength) ThrowBadString(unit, ".debug_str", value);
                    return value | KeyStr;
                case DwForm.LineStrp:
                    if (value >= _lineStrLength) ThrowBadString(unit, ".debug_line_str", value);
                    return value | KeyLineStr;
                default: // strx forms
                {
                    var offset = AttributeValue.StrOffset(unit, value, default);
                    if (offset >= _strLength) ThrowBadString(unit, ".debug_str", offset);
                    return offset | KeyStr;
                }
            }
        }

        /// <summary>A DIE whose abbreviation the skip program cannot handle (DW_FORM_indirect): decoded by the general reader.</summary>
        void SlowDie(DwarfUnit unit, int dieStart, ref int pos, int depth)
        {
            var die = new Die(unit, new DebugInfoOffset(unit.Offset.Value + (ulong)dieStart));
            var abbreviation = die.Abbreviation;
            var offset = (uint)die.Offset.Value | (unit.IsInTypesSection ? TypesBit : 0u);
            if (depth == 1 && abbreviation.Tag is DwTag.Typedef or DwTag.BaseType or DwTag.StructureType or DwTag.UnionType
                    or DwTag.EnumerationType or DwTag.ClassType && die.TryGetAttribute(DwAt.Name, out var name))
            {
                var declaration = die.GetFlag(DwAt.Declaration);
                var kind = abbreviation.Tag switch
                {
                    DwTag.Typedef => NameKind.Typedef,
                    DwTag.BaseType => NameKind.BaseType,
                    DwTag.StructureType => declaration ? NameKind.StructDeclaration : NameKind.Struct,
                    DwTag.UnionType => declaration ? NameKind.UnionDeclaration : NameKind.Union,
                    DwTag.ClassType => declaration ? NameKind.ClassDeclaration : NameKind.Class,
                    _ => declaration ? NameKind.EnumDeclaration : NameKind.Enum,
                };
                var aux = declaration ? 0 : (die.TryGetUnsigned(DwAt.DeclLine, out var l) ? l & 0xffff_ffff : 0) |
                          (die.TryGetUnsigned(DwAt.ByteSize, out var s) ? (s & 0xff_ffff) << 32 : 0);
                Unique.AddMin(Hash(name.StringBytes()), aux | (ulong)kind << 56, offset);
            }
            // Its subtree is skipped; the general reader finds where it ends.
            pos = (int)(die.SubtreeEnd() - unit.Offset.Value);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        void ThrowBadString(DwarfUnit unit, string section, ulong offset) =>
            throw new DumpFormatException(_dwarf.Path, (long)unit.Offset.Value, unit.SectionName,
                $"a DW_AT_name in the unit points at 0x{offset:x}, past the end of {section}");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void ThrowPastEnd(DwarfUnit unit, int pos) =>
            throw new DumpFormatException(unit.Dwarf.Path, (long)(unit.Offset.Value + (ulong)Math.Max(pos, 0)), unit.SectionName,
                $"DIE data runs past the end of the unit at {unit.EndOffset}");

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void ThrowUndefined(DwarfUnit unit, int pos, ulong code) =>
            throw new DumpFormatException(unit.Dwarf.Path, (long)(unit.Offset.Value + (ulong)pos), unit.SectionName,
                $"abbreviation code {code} is not defined in the table at .debug_abbrev {unit.AbbrevOffset}");
    }
}
