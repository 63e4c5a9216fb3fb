using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// Raw little-endian reads of kernel memory and member offsets/sizes found by name in the vmlinux's
/// DWARF, for the helpers that walk many kernel objects (file and fd tables, maple trees, mount
/// lists, device tables, sockets, page arrays) instead of building a TargetObject per member.
/// Offsets come through the target's cached <see cref="ITypeLayouts"/>, so a walk pays one
/// dictionary lookup per member, not a type-system search; nothing is allocated besides the
/// returned strings and arrays. Every overload taking <see cref="IKernelTarget"/> and
/// <see cref="ITypeLayouts"/> works on mock memory with a real vmlinux's layouts (tests).
/// Every read throws the target's FaultException / PageExcludedException (both KdumpDebugException).
/// </summary>
public static class KernelMemory
{
    /// <summary>Offset of <paramref name="memberPath"/> in <c>struct <paramref name="structName"/></c>; throws naming both when the DWARF lacks it.</summary>
    public static ulong Offset(KernelTarget target, string structName, string memberPath) => Offset(target.TypeLayouts, structName, memberPath);

    /// <summary><see cref="Offset(KernelTarget, string, string)"/> from any layout source (tests give a real vmlinux's layouts with mock memory).</summary>
    public static ulong Offset(ITypeLayouts layouts, string structName, string memberPath) =>
        layouts.TryGetMemberOffset(structName, memberPath, out var offset)
            ? offset
            : throw new KdumpDebugException($"struct {structName}: no member {memberPath} in the vmlinux debug info");

    public static bool TryOffset(KernelTarget target, string structName, string memberPath, out ulong offset) =>
        target.TypeLayouts.TryGetMemberOffset(structName, memberPath, out offset);

    /// <summary>True when <c>struct <paramref name="structName"/></c> has <paramref name="memberPath"/> (feature detection).</summary>
    public static bool HasMember(KernelTarget target, string structName, string memberPath) => HasMember(target.TypeLayouts, structName, memberPath);

    public static bool HasMember(ITypeLayouts layouts, string structName, string memberPath) =>
        layouts.TryGetMemberOffset(structName, memberPath, out _);

    /// <summary>Byte size of <c>struct <paramref name="structName"/></c>; throws when the DWARF lacks it.</summary>
    public static ulong SizeOf(KernelTarget target, string structName) => SizeOf(target.TypeLayouts, structName);

    public static ulong SizeOf(ITypeLayouts layouts, string structName) =>
        layouts.TryGetStructSize(structName, out var size)
            ? size
            : throw new KdumpDebugException($"struct {structName} is not in the vmlinux debug info");

    /// <summary>Byte size of member <paramref name="memberPath"/> (an array's whole size); throws naming both when the DWARF lacks it.</summary>
    public static ulong MemberSize(KernelTarget target, string structName, string memberPath) => MemberSize(target.TypeLayouts, structName, memberPath);

    public static ulong MemberSize(ITypeLayouts layouts, string structName, string memberPath) =>
        layouts.TryGetMemberSize(structName, memberPath, out var size)
            ? size
            : throw new KdumpDebugException($"struct {structName}: no member {memberPath} in the vmlinux debug info");

    public static ulong ReadU64(IKernelTarget target, ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public static uint ReadU32(IKernelTarget target, ulong address)
    {
        Span<byte> b = stackalloc byte[4];
        target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public static ushort ReadU16(IKernelTarget target, ulong address)
    {
        Span<byte> b = stackalloc byte[2];
        target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    /// <summary>An unsigned member of 1, 2, 4 or 8 bytes, sized by its DWARF type.</summary>
    public static ulong ReadMember(KernelTarget target, ulong address, string structName, string memberPath) =>
        ReadMember(target, target.TypeLayouts, address, structName, memberPath);

    public static ulong ReadMember(IKernelTarget target, ITypeLayouts layouts, ulong address, string structName, string memberPath)
    {
        var offset = Offset(layouts, structName, memberPath);
        layouts.TryGetMemberSize(structName, memberPath, out var size);
        return size switch
        {
            1 => ReadU8(target, address + offset),
            2 => ReadU16(target, address + offset),
            4 => ReadU32(target, address + offset),
            _ => ReadU64(target, address + offset),
        };
    }

    public static byte ReadU8(IKernelTarget target, ulong address)
    {
        Span<byte> b = stackalloc byte[1];
        target.ReadVirtual(address, b);
        return b[0];
    }

    public static byte[] ReadBytes(IKernelTarget target, ulong address, int count)
    {
        var bytes = new byte[count];
        target.ReadVirtual(address, bytes);
        return bytes;
    }

    /// <summary>
    /// A string of at most <paramref name="length"/> bytes at <paramref name="address"/>, cut at the
    /// first NUL (a <c>qstr</c> name has its length; a fixed array such as <c>char name[16]</c> is
    /// NUL-terminated within it). One read of <paramref name="length"/> bytes.
    /// </summary>
    public static string ReadString(IKernelTarget target, ulong address, int length)
    {
        if (length <= 0) return "";
        var bytes = new byte[length];
        target.ReadVirtual(address, bytes);
        return DecodeCString(bytes);
    }

    /// <summary>UTF-8 text of <paramref name="bytes"/> up to the first NUL (all of it when there is none).</summary>
    public static string DecodeCString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>A NUL-terminated string read page by page, at most <paramref name="maxLength"/> bytes.</summary>
    public static string ReadCString(IKernelTarget target, ulong address, int maxLength = 4096)
    {
        var result = new List<byte>(64);
        Span<byte> chunk = stackalloc byte[256];
        while (result.Count < maxLength)
        {
            var inPage = (int)Math.Min((ulong)chunk.Length, 0x1000 - (address & 0xfff));
            var span = chunk[..inPage];
            target.ReadVirtual(address, span);
            var nul = span.IndexOf((byte)0);
            if (nul >= 0)
            {
                foreach (var b in span[..nul]) result.Add(b);
                break;
            }
            foreach (var b in span) result.Add(b);
            address += (ulong)inPage;
        }
        return System.Text.Encoding.UTF8.GetString(result.ToArray());
    }

    /// <summary>
    /// <c>list_for_each_entry</c> from the <c>list_head</c> at <paramref name="head"/> over
    /// <c>struct <paramref name="structName"/></c>.<paramref name="memberPath"/>, with
    /// <see cref="ListHead.ListForEachEntry"/>'s loop and length guards; a broken list adds one line to <paramref name="problems"/>.
    /// </summary>
    public static List<ulong> ListEntries(KernelTarget target, ulong head, string structName, string memberPath, int limit, string what, ICollection<string>? problems) =>
        ListEntries(target, target.TypeLayouts, head, structName, memberPath, limit, what, problems);

    public static List<ulong> ListEntries(IKernelTarget target, ITypeLayouts layouts, ulong head, string structName, string memberPath, int limit, string what, ICollection<string>? problems)
    {
        var entries = ListHead.ListForEachEntry(a => ReadU64(target, a), head, Offset(layouts, structName, memberPath), limit, what, out var problem);
        if (problem is not null) problems?.Add(problem);
        return entries;
    }

    /// <summary>The run-time address of a kernel global (symbol table first, then DWARF), or null when the kernel has none.</summary>
    public static ulong? SymbolAddress(KernelTarget target, string name)
    {
        if (target.TryLookupSymbol(name, out var symbol)) return symbol.Address;
        return target.Objects.TryVariable(name, out var variable) ? variable.Address : null;
    }

    /// <summary>The value of enumerator <paramref name="name"/> (e.g. <c>NR_FREE_PAGES</c>), or null when the debug info has none.</summary>
    public static long? Enumerator(KernelTarget target, string name) =>
        target.Objects.Types.TryFindEnumerator(name, out _, out var e) ? e.Value : null;
}
