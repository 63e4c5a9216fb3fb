using System.Text.Json;
using KdumpDebug.Commands.Tests.RealDump;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.Cli;

/// <summary>
/// <c>kdumpdebug triage</c> through the built executable: files in either order, <c>--modules</c>,
/// text and <c>--json</c> carrying the same facts, exit code 0 and nothing on standard error.
/// </summary>
public sealed class TriageCliTests
{
    static string Vmlinux => Fixtures.Path("kernel/vmlinux.xz");

    [FixtureFact]
    public void SysrqTextAndJson()
    {
        var vmcore = Fixtures.Path("sysrq/vmcore.kdump-zlib");
        var text = KdumpdebugProcess.Run(["triage", Vmlinux, vmcore]);
        Assert.Equal("", text.StandardError);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("\nSUSPECT         sysrq_handle_crash  ./drivers/tty/sysrq.c:155\n", text.StandardOutput);
        Assert.Contains("\nPID             68\n", text.StandardOutput);

        // Files the other way round, JSON.
        var json = KdumpdebugProcess.Run(["triage", vmcore, Vmlinux, "--json"]);
        Assert.Equal("", json.StandardError);
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal("sysrq_handle_crash", doc.RootElement.GetProperty("suspect").GetProperty("function").GetString());
        Assert.Equal(vmcore, doc.RootElement.GetProperty("dump").GetProperty("file").GetString());
        TriageTests.AssertSameFacts(text.StandardOutput, doc.RootElement);
    }

    [FixtureFact]
    public void OopsModuleWithModuleDebugInfo()
    {
        var vmcore = Fixtures.Path("oops-module/vmcore.kdump-zlib");
        var result = KdumpdebugProcess.Run(["triage", "--modules", Fixtures.Path("kernel"), Vmlinux, vmcore, "--json"]);
        Assert.Equal("", result.StandardError);
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.StandardOutput);
        var rip = doc.RootElement.GetProperty("exceptionRip");
        Assert.Equal("lkdtm_EXCEPTION+0x0/0x10 [lkdtm]", rip.GetProperty("text").GetString());
        Assert.Equal("./drivers/misc/lkdtm/bugs.c:95", rip.GetProperty("source").GetString());
        Assert.Equal("null-pointer-dereference", doc.RootElement.GetProperty("panic").GetProperty("kind").GetString());
    }

    /// <summary>
    /// A vmlinux without DWARF: the dump still opens, so the report prints what the dump header
    /// and symbols give, names every part it could not read under PROBLEMS, and exits 0.
    /// </summary>
    [NoDebugInfoTests.ObjcopyFact]
    public void UnreadablePartsAreProblemsNotFailures()
    {
        var vmcore = Fixtures.Path("sysrq/vmcore.kdump-zlib");
        var vmlinux = NoDebugInfoTests.StrippedVmlinux();
        var text = KdumpdebugProcess.Run(["triage", vmlinux, vmcore]);
        Assert.Equal("", text.StandardError);
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("RELEASE         6.1.192-fixture\n", text.StandardOutput);
        var problems = text.StandardOutput.Split('\n').SkipWhile(l => l != "PROBLEMS:").Skip(1).ToList();
        Assert.Contains(problems, l => l.StartsWith("  tasks: ", StringComparison.Ordinal) && l.Contains("no debug info", StringComparison.Ordinal));
        Assert.Contains(problems, l => l.StartsWith("  taint: ", StringComparison.Ordinal));
        Assert.DoesNotContain("\nCALL TRACE:", text.StandardOutput);

        var json = KdumpdebugProcess.Run(["triage", vmlinux, vmcore, "--json"]);
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("task").ValueKind);
        Assert.Equal("unknown", doc.RootElement.GetProperty("panic").GetProperty("kind").GetString());
        Assert.Equal(problems.Count(l => l.StartsWith("  ", StringComparison.Ordinal)), doc.RootElement.GetProperty("problems").GetArrayLength());
    }
}
