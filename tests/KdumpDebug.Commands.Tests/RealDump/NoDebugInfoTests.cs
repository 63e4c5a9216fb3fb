using System.Diagnostics;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// A vmlinux without DWARF (the fixture's, `objcopy --strip-debug`) still opens the dump and
/// answers symbol and memory commands; commands that need types say so in one line.
/// </summary>
public sealed class NoDebugInfoTests
{
    internal static readonly string? Objcopy = new[] { "/usr/bin/objcopy", "/bin/objcopy" }.FirstOrDefault(File.Exists);

    /// <summary>Needs the fixtures and binutils' objcopy (Debian's gcc brings it).</summary>
    public sealed class ObjcopyFactAttribute : FactAttribute
    {
        public ObjcopyFactAttribute()
        {
            if (!Fixtures.Available) Skip = "fixtures not found";
            else if (Objcopy is null) Skip = "objcopy (binutils) is not installed";
        }
    }

    /// <summary>The fixture vmlinux without DWARF, made once into the test cache.</summary>
    internal static string StrippedVmlinux()
    {
        var plain = KdumpDebug.Debuginfo.DebugFileCache.Materialize(Fixtures.Path("kernel/vmlinux.xz"), FixtureDumps.VmlinuxCache);
        var stripped = Path.Combine(Fixtures.CacheDirectory, "vmlinux-nodwarf");
        if (!File.Exists(stripped))
        {
            var tmp = stripped + ".part" + Environment.ProcessId;
            using var p = Process.Start(new ProcessStartInfo(Objcopy!, $"--strip-debug {plain} {tmp}") { RedirectStandardError = true })!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
            File.Move(tmp, stripped, overwrite: true);
        }
        return stripped;
    }

    [ObjcopyFact]
    public void Symbols_and_memory_work_and_type_commands_name_the_missing_debug_info()
    {
        using var target = KernelTarget.Open(new TargetOptions(Fixtures.Path("sysrq/vmcore.kdump-zlib"), StrippedVmlinux()));
        Assert.False(target.Vmlinux.Types.HasDebugInfo);
        var session = new CommandSession(target);
        Assert.Equal(Fixtures.ReadText("sysrq/crash/sym-sysrq_handle_crash.txt").Split(' ')[0..3],
            session.ExecuteAndCapture("sym sysrq_handle_crash").Split(' ')[0..3]);
        Assert.StartsWith("ffffffff828079c0:  ", session.ExecuteAndCapture("rd -64 jiffies 1"));
        var structOutput = session.ExecuteAndCapture("struct list_head");
        Assert.Contains("no debug info", structOutput);
        Assert.Single(structOutput.TrimEnd('\n').Split('\n'));
        Assert.Contains("no debug info", session.ExecuteAndCapture("ps"));
    }
}
