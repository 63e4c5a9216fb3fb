using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KdumpDebug.Dump;

namespace KdumpDebug.Server;

/// <summary>
/// `kdumpdebug bench pages VMCORE`: reads every page the dump holds (decompressing it) and prints
/// one line of figures for tests/bench/run.sh, which compares it with libkdumpfile reading the same
/// pages. Only the reading loop is timed (open time is printed separately), as in the Python
/// counterpart tests/bench/libkdumpfile_pages.py.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var vmcore = new Argument<string>("vmcore") { Description = "The dump whose pages to read." };
        var pages = new Command("pages", "Read every page in the dump once; print pages, bytes, seconds, MB/s.") { vmcore };
        pages.SetAction(parse => RunPages(parse.GetValue(vmcore)!));
        return new Command("bench", "Measurements for BENCHMARKS.md.") { pages };
    }

    static int RunPages(string path)
    {
        var open = Stopwatch.StartNew();
        using var dump = DumpOpener.Open(path);
        var openSeconds = open.Elapsed.TotalSeconds;
        var totals = DumpPageReader.ReadAllPresentPages(dump);
        var seconds = totals.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tool=kdumpdebug format={dump.Description.Replace(' ', '_')} pages={totals.Pages} bytes={totals.Bytes} seconds={seconds:F4} MB/s={totals.MegabytesPerSecond:F1} open_s={openSeconds:F4}"));
        return ExitCodes.Success;
    }
}
