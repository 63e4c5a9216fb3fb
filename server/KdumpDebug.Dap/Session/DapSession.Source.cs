using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Session;

// source: file contents the client cannot open itself.
public sealed partial class DapSession
{
    /// <summary>Largest source file returned.</summary>
    public const long MaxSourceBytes = 16 << 20;

    /// <summary>
    /// DAP source: the content of <c>source.path</c>, read as given when that file exists, else
    /// after mapping it as stack frames map DWARF names (sourceFileMap prefixes, then kernelSource
    /// for a relative name). The adapter hands out no <c>sourceReference</c>s, so any other
    /// reference is an error naming it.
    /// </summary>
    private SourceResponseBody SourceContent(SourceArguments args)
    {
        var dump = Dump;
        var path = args.Source?.Path;
        if (string.IsNullOrEmpty(path))
            throw new DapRequestException(args.SourceReference != 0
                ? $"sourceReference {args.SourceReference} does not exist (this adapter names sources by path)"
                : "source: no source.path given");
        var candidates = new List<string> { path };
        var mapped = dump.SourceOf(path).Path;
        if (mapped is not null && mapped != path) candidates.Add(mapped);
        foreach (var candidate in candidates)
        {
            var info = new FileInfo(candidate);
            if (!info.Exists) continue;
            if (info.Length > MaxSourceBytes)
                throw new DapRequestException($"{candidate}: {info.Length} bytes is larger than the {MaxSourceBytes >> 20} MiB source limit");
            try
            {
                return new SourceResponseBody { Content = File.ReadAllText(candidate), MimeType = "text/x-c" };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DapRequestException($"{candidate}: {e.Message}");
            }
        }
        throw new DapRequestException(mapped is not null && mapped != path
            ? $"{path}: no such file (looked for {mapped}; set kernelSource or sourceFileMap in the launch configuration)"
            : $"{path}: no such file (set kernelSource or sourceFileMap in the launch configuration)");
    }
}
