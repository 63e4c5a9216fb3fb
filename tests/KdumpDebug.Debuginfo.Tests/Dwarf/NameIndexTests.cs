using System.Diagnostics;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Tests.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>The name index: what it records, de-duplication, names through origins, the on-disk cache, and real kernels.</summary>
public class NameIndexTests
{
    static BuiltDwarf Build()
    {
        var b = new DwarfBuilder();
        for (var unit = 0; unit < 3; unit++)
        {
            var root = b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, $"u{unit}.c");
            root.Child(DwTag.BaseType).Label($"int{unit}").Attr(DwAt.Name, DwForm.String, "int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed);
            // The same header type in every unit (one entry), and a same-named but different type in unit 2.
            var s = root.Child(DwTag.StructureType).Label($"list{unit}").Attr(DwAt.Name, DwForm.Strp, "list_head")
                .Attr(DwAt.ByteSize, DwForm.Data1, unit == 2 ? 8 : 16).Attr(DwAt.DeclLine, DwForm.Data1, unit == 2 ? 99 : 10);
            s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "next").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref($"int{unit}"));
            var e = root.Child(DwTag.EnumerationType).Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.DeclLine, DwForm.Data1, 5);
            e.Child(DwTag.Enumerator).Attr(DwAt.Name, DwForm.Strp, "MODE_A").Attr(DwAt.ConstValue, DwForm.Data1, 0);
            root.Child(DwTag.Variable).Label($"decl{unit}").Attr(DwAt.Name, DwForm.Strp, "shared_var").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref($"int{unit}"))
                .Attr(DwAt.External, DwForm.FlagPresent).Attr(DwAt.Declaration, DwForm.FlagPresent);
            // A static function of one name in every unit: all kept.
            root.Child(DwTag.Subprogram).Attr(DwAt.Name, DwForm.Strp, "helper").Attr(DwAt.LowPc, DwForm.Addr, 0x1000UL * (ulong)(unit + 1)).Attr(DwAt.HighPc, DwForm.Data1, 8);
            // An inline function's abstract instance (one entry) and its out-of-line copy without a name.
            root.Child(DwTag.Subprogram).Label($"abstract{unit}").Attr(DwAt.Name, DwForm.Strp, "inline_fn").Attr(DwAt.Inline, DwForm.Data1, 3).Attr(DwAt.DeclLine, DwForm.Data1, 7);
            root.Child(DwTag.Subprogram).Attr(DwAt.AbstractOrigin, DwForm.Ref4, new DwarfBuilder.Ref($"abstract{unit}")).Attr(DwAt.LowPc, DwForm.Addr, 0x9000UL + (ulong)unit).Attr(DwAt.HighPc, DwForm.Data1, 1);
            // A declaration of a function (no code): not indexed.
            root.Child(DwTag.Subprogram).Attr(DwAt.Name, DwForm.Strp, "extern_fn").Attr(DwAt.Declaration, DwForm.FlagPresent);
        }
        // The definition of shared_var: no name, only DW_AT_specification (as GCC writes it).
        var last = b.AddUnit().SetRoot();
        last.Child(DwTag.BaseType).Label("int_last").Attr(DwAt.Name, DwForm.String, "int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed);
        last.Child(DwTag.Variable).Label("sdecl").Attr(DwAt.Name, DwForm.Strp, "shared_var").Attr(DwAt.Declaration, DwForm.FlagPresent)
            .Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("int_last"));
        last.Child(DwTag.Variable).Label("sdef").Attr(DwAt.Specification, DwForm.Ref4, new DwarfBuilder.Ref("sdecl"))
            .Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Addr, 0x88, 0, 0, 0, 0, 0, 0, 0 });
        last.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.Strp, "only_declared").Attr(DwAt.Declaration, DwForm.FlagPresent);
        return new BuiltDwarf(b);
    }

    [Fact]
    public void RecordsFileScopeNamesOncePerDistinctDefinition()
    {
        using var built = Build();
        var index = built.Index;
        Assert.Empty(index.Errors);
        Assert.Equal([NameKind.BaseType], index.Find("int").Select(m => m.Kind));
        var lists = index.Find("list_head");
        Assert.Equal(2, lists.Count); // 16-byte copies collapse to the first; the 8-byte one is another type
        Assert.Equal([built.Layout["list0"], built.Layout["list2"]], lists.Select(m => (long)m.Die.Offset.Value));
        var mode = Assert.Single(index.Find("MODE_A"));
        Assert.Equal(NameKind.Enumerator, mode.Kind);
        Assert.Equal(DwTag.Enumerator, mode.Die.Tag);
        Assert.Equal(DwTag.EnumerationType, mode.Enumeration.Tag);
        Assert.Equal(3, index.Find("helper", NameKinds.Function).Count);
        var inline = index.Find("inline_fn");
        Assert.Equal(1, inline.Count(m => m.Kind == NameKind.InlineFunction));
        Assert.Equal(3, inline.Count(m => m.Kind == NameKind.Function)); // out-of-line copies named through DW_AT_abstract_origin
        Assert.Empty(index.Find("extern_fn"));
        var shared = index.Find("shared_var");
        Assert.Equal(built.Layout["sdef"], (long)shared.Single(m => m.Kind == NameKind.Variable).Die.Offset.Value);
        Assert.Equal(1, shared.Count(m => m.Kind == NameKind.VariableDeclaration));
        Assert.Equal(NameKind.StructDeclaration, Assert.Single(index.Find("only_declared")).Kind);
        Assert.Empty(index.Find("next")); // members are not file-scope names
        Assert.True(built.Types.TryFindVariable("shared_var", out var v));
        Assert.Equal((0x88UL, "int"), (v.Address!.Value, v.Type.ToString()));
    }

    [Fact]
    public void TheIndexIsTheSameWhateverTheParallelism()
    {
        using var built = Build();
        var one = DwarfNameIndex.Build(built.Dwarf, maxParallelism: 1).Entries.ToList();
        var many = DwarfNameIndex.Build(built.Dwarf, maxParallelism: 4).Entries.ToList();
        Assert.Equal(one, many);
    }

    [Fact]
    public void CacheRoundTripsAndRejectsAnotherBuild()
    {
        using var built = Build();
        var file = Path.Combine(Path.GetDirectoryName(built.Path)!, "cache", "dwarf-index.bin");
        var first = DwarfNameIndex.LoadOrBuild(built.Dwarf, "abcd", file, out var fromCache);
        Assert.False(fromCache);
        Assert.True(File.Exists(file));
        var second = DwarfNameIndex.LoadOrBuild(built.Dwarf, "abcd", file, out fromCache);
        Assert.True(fromCache);
        Assert.Equal(first.Entries, second.Entries);
        Assert.Single(second.Find("MODE_A"));
        // Another build-id, or a damaged file, is rebuilt (and the damage is not loaded).
        DwarfNameIndex.LoadOrBuild(built.Dwarf, "ef01", file, out fromCache);
        Assert.False(fromCache);
        var bytes = File.ReadAllBytes(file);
        bytes[^12] ^= 0xff;
        File.WriteAllBytes(file, bytes);
        using (var s = File.OpenRead(file)) Assert.Null(DwarfNameIndex.TryLoad(built.Dwarf, s, "ef01"));
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        using (var s = File.OpenRead(file)) Assert.Null(DwarfNameIndex.TryLoad(built.Dwarf, s, "ef01"));
    }

    [FixtureFact]
    public void FixtureKernelIndexesWithoutErrors()
    {
        var dwarf = FixtureKernel.Vmlinux.Dwarf!;
        Assert.Equal(879, dwarf.Units.Count);
        Assert.Empty(dwarf.Errors);
        var clock = Stopwatch.StartNew();
        var index = DwarfNameIndex.Build(dwarf);
        clock.Stop();
        Assert.Empty(index.Errors);
        var counts = index.CountByKind();
        Assert.InRange(counts[NameKind.Struct], 2000, 5000);
        Assert.InRange(counts[NameKind.Function], 10000, 40000);
        Assert.Equal(NameKind.Struct, Assert.Single(index.Find("task_struct")).Kind);
        Assert.Equal(NameKind.Function, Assert.Single(index.Find("sysrq_handle_crash")).Kind);
        Assert.Contains(index.Find("init_task"), m => m.Kind == NameKind.Variable);
        Assert.Equal("pid_type", Assert.Single(index.Find("PIDTYPE_TGID")).Enumeration.Name);
    }

    /// <summary>
    /// The fixture kernel's whole index (every hash, DIE and kind, in order) is pinned by the
    /// checksum <see cref="DwarfNameIndex.Save"/> writes last: 0x09be5df4ad8a0e92 is what the
    /// builder before its fast paths (one-array de-duplication slots, skip-only DIEs, the radix
    /// sort; commit 970cb63) wrote for this vmlinux, so those changed how fast, not what.
    /// </summary>
    [FixtureFact]
    public void FixtureKernelIndexIsTheOneTheSlowerBuilderMade()
    {
        var dwarf = FixtureKernel.Vmlinux.Dwarf!;
        foreach (var parallelism in new[] { 1, 2 })
        {
            var index = DwarfNameIndex.Build(dwarf, parallelism);
            using var stream = new MemoryStream();
            index.Save(stream, "pinned");
            var bytes = stream.ToArray();
            Assert.Equal(0x09be5df4ad8a0e92UL, BitConverter.ToUInt64(bytes, bytes.Length - 8));
            var entries = index.Entries.ToList();
            for (var i = 1; i < entries.Count; i++)
            {
                var (a, b) = (entries[i - 1], entries[i]);
                Assert.True(a.Hash < b.Hash || (a.Hash == b.Hash && (a.Kind < b.Kind || (a.Kind == b.Kind && a.Die.Value <= b.Die.Value))),
                    $"entry {i} is out of order");
            }
        }
    }

    [DistroFact]
    public void DistroKernelIndexesWithoutErrors()
    {
        using var v = Vmlinux.Open(KernelTypes.DistroVmlinuxPath!);
        var index = DwarfNameIndex.Build(v.Dwarf!);
        Assert.Empty(v.Dwarf!.Errors);
        Assert.Empty(index.Errors);
        Assert.Single(index.Find("task_struct", NameKinds.Struct));
        Assert.InRange(index.Count, 100_000, 400_000);
    }
}
