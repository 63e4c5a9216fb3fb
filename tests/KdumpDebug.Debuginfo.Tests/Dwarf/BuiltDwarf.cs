using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>
/// DWARF built in code (<see cref="DwarfBuilder"/>) written as an ELF file in a temporary folder,
/// opened with the product's readers: the same path as a real vmlinux, minus its size.
/// </summary>
internal sealed class BuiltDwarf : IDisposable
{
    public ElfFile Elf { get; }
    public DwarfInfo Dwarf { get; }
    public string Path { get; }
    public IReadOnlyDictionary<string, long> Layout { get; }
    readonly Lazy<DwarfNameIndex> _index;
    readonly Lazy<TypeSystem> _types;

    public DwarfNameIndex Index => _index.Value;
    public TypeSystem Types => _types.Value;

    public BuiltDwarf(DwarfBuilder builder, Action<Dictionary<string, byte[]>>? corrupt = null, ushort elfType = ElfBuilder.EtExec)
    {
        Path = System.IO.Path.Combine(Fixtures.NewTempDirectory(), "built.elf");
        File.WriteAllBytes(Path, builder.BuildElf(elfType, corrupt));
        Layout = new Dictionary<string, long>(builder.Layout);
        Elf = ElfFile.Open(Path);
        Dwarf = DwarfInfo.FromElf(Elf) ?? throw new InvalidOperationException("no .debug_info");
        _index = new Lazy<DwarfNameIndex>(() => DwarfNameIndex.Build(Dwarf));
        _types = new Lazy<TypeSystem>(() => TypeSystem.FromDwarf(Dwarf, Index));
    }

    /// <summary>The DIE labelled <paramref name="label"/> in the builder.</summary>
    public Die Die(string label) => Dwarf.GetDie(new DebugInfoOffset((ulong)Layout[label]));

    public void Dispose()
    {
        Elf.Dispose();
        try { Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true); } catch (IOException) { }
    }
}
