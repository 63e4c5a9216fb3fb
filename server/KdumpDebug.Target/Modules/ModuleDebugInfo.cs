using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Target.Modules;

/// <summary>
/// The DWARF of one module's debug file placed where the crashed kernel loaded the module: a .ko is
/// ET_REL, so every address in its debug sections is section-relative until its relocations are
/// applied with each section at its run-time address (<see cref="KernelModule.SectionAddresses"/>).
/// After that, DW_AT_low_pc, location lists and DW_OP_addr operands are run-time addresses: no KASLR
/// slide applies to them. <see cref="Types"/> is a <see cref="TypeSystem"/> over the module's own
/// DIEs (a module's types are its own copies of the kernel's, with their own offsets), so its
/// parameters and locals print exactly like the vmlinux's.
/// <para>
/// Cost: nothing at creation; <see cref="Dwarf"/> relocates the debug sections it reads on first use
/// (a copy of each); <see cref="Types"/> builds a name index over the module (milliseconds for a
/// driver; not saved to disk). Thread-safe. One instance per attached debug file: attaching another
/// file (crash's <c>mod -s</c>) replaces the module's instance.
/// </para>
/// </summary>
public sealed class ModuleDebugInfo
{
    readonly Lazy<DwarfInfo?> _dwarf;
    readonly Lazy<TypeSystem> _types;

    internal ModuleDebugInfo(ElfFile elf, IReadOnlyDictionary<int, ulong> sectionAddresses)
    {
        Elf = elf;
        _dwarf = new Lazy<DwarfInfo?>(() => DwarfInfo.FromElf(elf, s => sectionAddresses.TryGetValue(s.Index, out var a) ? a : 0),
            LazyThreadSafetyMode.ExecutionAndPublication);
        _types = new Lazy<TypeSystem>(() => Dwarf is { } d ? TypeSystem.FromDwarf(d, DwarfNameIndex.Build(d)) : TypeSystem.WithoutDebugInfo(elf.Path),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The debug file.</summary>
    public ElfFile Elf { get; }

    /// <summary>The module's DWARF at run-time addresses, or null when the file has no <c>.debug_info</c>.</summary>
    public DwarfInfo? Dwarf => _dwarf.Value;

    /// <summary>Types, variables and functions of the module's DWARF; one that reports "no debug info" without DWARF.</summary>
    public TypeSystem Types => _types.Value;
}
