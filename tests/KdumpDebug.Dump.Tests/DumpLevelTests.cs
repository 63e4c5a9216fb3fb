using System.Diagnostics;
using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// Dump levels 0..31 and every compression Debian's makedumpfile has, made by the real
/// makedumpfile from the sysrq ELF fixture (`makedumpfile [-c|-l] -d N ELF OUT`): each page the
/// new dump holds reads back identical to the ELF, the header reports the level, and filtered
/// pages are reported excluded. Skips when makedumpfile is not installed (.ci/run installs it).
/// </summary>
public class DumpLevelTests
{
    internal static readonly string? Makedumpfile =
        new[] { "/usr/sbin/makedumpfile", "/usr/bin/makedumpfile", "/sbin/makedumpfile" }.FirstOrDefault(File.Exists);

    /// <summary>A fixture theory that also needs the makedumpfile program.</summary>
    public sealed class MakedumpfileTheoryAttribute : TheoryAttribute
    {
        public MakedumpfileTheoryAttribute()
        {
            if (!Fixtures.Available) Skip = "fixtures not found";
            else if (Makedumpfile is null) Skip = "makedumpfile is not installed (apt-get install makedumpfile)";
        }
    }

    public static TheoryData<int, string> Levels()
    {
        var data = new TheoryData<int, string>();
        foreach (var level in new[] { 0, 1, 2, 4, 8, 16, 31 })
            foreach (var compression in new[] { "-c", "-l", "" })
                data.Add(level, compression);
        data.Add(17, "-c");
        data.Add(30, "-l");
        return data;
    }

    [MakedumpfileTheory]
    [MemberData(nameof(Levels))]
    public void Makedumpfile_output_at_each_dump_level_reads_back_like_the_source(int level, string compression)
    {
        var source = Fixtures.Plain("sysrq/vmcore.elf.zst");
        var output = Path.Combine(Fixtures.NewTempDirectory(), $"vmcore-d{level}");
        var args = (compression == "" ? "" : compression + " ") + $"-d {level} --message-level 0 {source} {output}";
        using (var p = Process.Start(new ProcessStartInfo(Makedumpfile!, args) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            p.StandardOutput.ReadToEnd();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"makedumpfile {args}: {err}");
        }
        try
        {
            using var elf = DumpOpener.Open(source);
            using var dump = DumpOpener.Open(output);
            Assert.Equal(DumpFormat.KdumpCompressed, dump.Format);
            Assert.Equal(level, dump.DumpLevel);
            Assert.Equal(level != 0, dump.IsPartial);
            var expectedCompression = compression switch { "-c" => "zlib", "-l" => "lzo", _ => "" };
            if (expectedCompression != "") Assert.Contains(expectedCompression, dump.Description);

            var a = new byte[4096];
            var b = new byte[4096];
            var present = 0;
            foreach (var pfn in dump.Memory.EnumeratePresentPfns())
            {
                dump.Memory.Read(pfn * 4096, a);
                elf.Memory.Read(pfn * 4096, b);
                Assert.True(a.AsSpan().SequenceEqual(b), $"PFN {pfn:x} differs at dump level {level}");
                present++;
            }
            Assert.True(present > 1000);
            // Every ELF page that the new dump filtered reads as excluded, never as zeros.
            var excluded = 0;
            foreach (var pfn in elf.Memory.EnumeratePresentPfns())
            {
                if (dump.Memory.GetPageStatus(pfn) != PageStatus.Excluded) continue;
                Assert.Throws<PageExcludedException>(() => dump.Memory.Read(pfn * 4096, a));
                excluded++;
            }
            // Level 0 filters nothing: every page of the source is in the new dump.
            if (level == 0) Assert.Equal(0, excluded);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
