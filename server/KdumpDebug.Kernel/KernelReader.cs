using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// Raw reads of kernel memory at member offsets found by name in the vmlinux's DWARF (through
/// <see cref="KernelTarget.TypeLayouts"/>, which caches each lookup): what the walkers of large
/// structures (device tables, fd tables, sockets, page arrays) use instead of building a
/// TargetObject per member. Little-endian x86-64. Every read throws FaultException or
/// PageExcludedException (both KdumpDebugException) for memory the dump does not have.
/// </summary>
public sealed class KernelReader
{
    public KernelReader(KernelTarget target) => Target = target;

    public KernelTarget Target { get; }

    /// <summary>Offset of <paramref name="memberPath"/> ("a.b", anonymous members by name) in <c>struct <paramref name="structName"/></c>; throws naming both when absent.</summary>
    public ulong Offset(string structName, string memberPath) =>
        Target.TypeLayouts.TryGetMemberOffset(structName, memberPath, out var offset)
            ? offset
            : throw new KdumpDebugException($"struct {structName} has no member {memberPath} in the debug info");

    public bool TryOffset(string structName, string memberPath, out ulong offset) =>
        Target.TypeLayouts.TryGetMemberOffset(structName, memberPath, out offset);

    /// <summary>Size of <c>struct <paramref name="structName"/></c>; throws when the debug info lacks it.</summary>
    public ulong SizeOf(string structName) =>
        Target.TypeLayouts.TryGetStructSize(structName, out var size)
            ? size
            : throw new KdumpDebugException($"no struct {structName} in the debug info");

    public ulong MemberSize(string structName, string memberPath) =>
        Target.TypeLayouts.TryGetMemberSize(structName, memberPath, out var size)
            ? size
            : throw new KdumpDebugException($"struct {structName} has no member {memberPath} in the debug info");

    public ulong U64(ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        Target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public uint U32(ulong address)
    {
        Span<byte> b = stackalloc byte[4];
        Target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public ushort U16(ulong address)
    {
        Span<byte> b = stackalloc byte[2];
        Target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    public byte U8(ulong address)
    {
        Span<byte> b = stackalloc byte[1];
        Target.ReadVirtual(address, b);
        return b[0];
    }

    public byte[] Bytes(ulong address, int count)
    {
        var bytes = new byte[count];
        Target.ReadVirtual(address, bytes);
        return bytes;
    }

    /// <summary>A NUL-terminated string in a fixed array (<c>char name[16]</c>) at <paramref name="address"/>.</summary>
    public string FixedString(ulong address, int size)
    {
        var bytes = Bytes(address, size);
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>
    /// <c>list_for_each_entry</c> from the <c>list_head</c> at <paramref name="head"/> over
    /// <c>struct <paramref name="structName"/></c>.<paramref name="memberPath"/>, with
    /// <see cref="ListHead.ListForEachEntry"/>'s loop and length guards; a broken list adds one line to <paramref name="problems"/>.
    /// </summary>
    public List<ulong> ListEntries(ulong head, string structName, string memberPath, int limit, string what, ICollection<string>? problems)
    {
        var entries = ListHead.ListForEachEntry(U64, head, Offset(structName, memberPath), limit, what, out var problem);
        if (problem is not null) problems?.Add(problem);
        return entries;
    }

    /// <summary>The run-time address of a kernel global (symbol table first, then DWARF), or null when the kernel has none.</summary>
    public ulong? SymbolAddress(string name)
    {
        if (Target.TryLookupSymbol(name, out var symbol)) return symbol.Address;
        return Target.Objects.TryVariable(name, out var variable) ? variable.Address : null;
    }

    /// <summary>The value of enumerator <paramref name="name"/> (e.g. <c>NR_FREE_PAGES</c>), or null when the debug info has none.</summary>
    public long? Enumerator(string name) =>
        Target.Objects.Types.TryFindEnumerator(name, out _, out var e) ? e.Value : null;
}
