using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Orc;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Reads a loaded module's ORC table from the crashed kernel's memory: <c>mod->arch.num_orcs</c>,
/// <c>mod->arch.orc_unwind_ip</c> and <c>mod->arch.orc_unwind</c> (struct mod_arch_specific,
/// arch/x86/include/asm/module.h, since v4.14 commit ee9f8fce9964 "x86/unwind: Add the ORC
/// unwinder"), which the module loader relocated to run-time addresses and sorted
/// (<c>unwind_module_init</c>). Member offsets come from DWARF through <see cref="ITypeLayouts"/>.
/// Cost: two reads of the table sizes (4 + 6 bytes per entry).
/// </summary>
public static class ModuleOrcReader
{
    /// <summary>
    /// The ORC table of the module whose <c>struct module</c> is at <paramref name="moduleAddress"/>,
    /// decoded with <paramref name="layout"/> (the vmlinux table's: modules are built with the same
    /// objtool). False with a one-line reason when the kernel has no ORC members, the module has no
    /// table, or the memory cannot be read.
    /// </summary>
    public static bool TryRead(IKernelTarget target, ITypeLayouts layouts, ulong moduleAddress, string moduleName,
        OrcEntryLayout layout, out OrcTable? table, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(layouts);
        table = null;
        if (!layouts.TryGetMemberOffset("module", "arch.num_orcs", out var countOffset)
            || !layouts.TryGetMemberOffset("module", "arch.orc_unwind_ip", out var ipOffset)
            || !layouts.TryGetMemberOffset("module", "arch.orc_unwind", out var entryOffset))
        {
            problem = $"{moduleName}: struct module has no arch.num_orcs/orc_unwind_ip/orc_unwind members (kernel without ORC)";
            return false;
        }
        try
        {
            Span<byte> b = stackalloc byte[8];
            target.ReadVirtual(moduleAddress + countOffset, b[..4]);
            var count = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(b);
            target.ReadVirtual(moduleAddress + ipOffset, b);
            var ipAddress = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b);
            target.ReadVirtual(moduleAddress + entryOffset, b);
            var entryAddress = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b);
            if (count == 0 || ipAddress == 0 || entryAddress == 0)
            {
                problem = $"{moduleName}: the module has no ORC table (num_orcs {count})";
                return false;
            }
            if (count > OrcTable.MaxEntries)
            {
                problem = $"{moduleName}: mod->arch.num_orcs {count} is more than the limit ({OrcTable.MaxEntries})";
                return false;
            }
            var ips = new byte[count * 4];
            var entries = new byte[count * OrcEntryLayout.EntrySize];
            target.ReadVirtual(ipAddress, ips);
            target.ReadVirtual(entryAddress, entries);
            table = new OrcTable(ips, ipAddress, entries, layout, $"module {moduleName} ORC at {ipAddress:x} (memory)");
            problem = null;
            return true;
        }
        catch (KdumpDebugException e)
        {
            problem = $"{moduleName}: cannot read the module's ORC table: {e.Message}";
            return false;
        }
    }
}
