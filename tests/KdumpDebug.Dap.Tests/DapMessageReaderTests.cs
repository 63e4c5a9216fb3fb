using System.Text;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Tests;

public class DapMessageReaderTests
{
    private static byte[] Frame(string json, string? headers = null) =>
        Encoding.UTF8.GetBytes((headers ?? $"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n") + json);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static async Task<List<DapFrame>> ReadAll(byte[] input, int chunk = int.MaxValue, int maxBody = DapMessageReader.DefaultMaxBodyBytes)
    {
        var reader = new DapMessageReader(new ChunkedReadStream(input, chunk), maxBody);
        var frames = new List<DapFrame>();
        while (true)
        {
            var f = await DapTestClient.Within(reader.ReadAsync().AsTask());
            frames.Add(f);
            if (f.Kind == DapFrameKind.EndOfStream) return frames;
        }
    }

    private static string Text(DapFrame f) => Encoding.UTF8.GetString(f.Body.Span);

    [Fact]
    public async Task ReadsOneMessageThenCleanEnd()
    {
        var frames = await ReadAll(Frame("""{"seq":1}"""));
        Assert.Equal(2, frames.Count);
        Assert.Equal(DapFrameKind.Message, frames[0].Kind);
        Assert.Equal("""{"seq":1}""", Text(frames[0]));
        Assert.Null(frames[0].Error);
        Assert.Equal(DapFrameKind.EndOfStream, frames[1].Kind);
        Assert.Null(frames[1].Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(17)]
    public async Task HeadersAndBodiesSplitAcrossReads(int chunk)
    {
        var input = Concat(Frame("""{"seq":1,"command":"a"}"""), Frame("""{"seq":2,"command":"bé"}"""), Frame("{}"));
        var frames = await ReadAll(input, chunk);
        Assert.Equal(["""{"seq":1,"command":"a"}""", """{"seq":2,"command":"bé"}""", "{}"],
            frames.Where(f => f.Kind == DapFrameKind.Message).Select(Text));
        Assert.All(frames, f => Assert.Null(f.Error));
    }

    [Fact]
    public async Task SeveralMessagesInOneRead()
    {
        var input = Concat(Enumerable.Range(1, 50).Select(i => Frame($$"""{"seq":{{i}}}""")).ToArray());
        var stream = new ChunkedReadStream(input, int.MaxValue);
        var reader = new DapMessageReader(stream);
        for (var i = 1; i <= 50; i++)
            Assert.Equal($$"""{"seq":{{i}}}""", Text(await DapTestClient.Within(reader.ReadAsync().AsTask())));
        Assert.Equal(DapFrameKind.EndOfStream, (await DapTestClient.Within(reader.ReadAsync().AsTask())).Kind);
        Assert.True(stream.Reads <= 3, $"{stream.Reads} reads for one buffer of 50 messages");
    }

    [Fact]
    public async Task BigBody()
    {
        var value = new string('x', 5_000_000);
        var json = $$"""{"seq":1,"v":"{{value}}"}""";
        var frames = await ReadAll(Concat(Frame(json), Frame("{}")), chunk: 65536);
        Assert.Equal(json, Text(frames[0]));
        Assert.Equal("{}", Text(frames[1]));
    }

    [Fact]
    public async Task HeaderNamesAreCaseInsensitiveAndOtherHeadersIgnored()
    {
        var frames = await ReadAll(Concat(
            Frame("{}", "content-length: 2\r\n\r\n"),
            Frame("[1]", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH:3\r\n\r\n")));
        Assert.Equal(["{}", "[1]"], frames.Where(f => f.Kind == DapFrameKind.Message).Select(Text));
    }

    [Fact]
    public async Task MissingContentLengthIsSkippedAndReaderResynchronises()
    {
        var frames = await ReadAll(Concat(Frame("{\"lost\":1}", "Content-Type: x\r\n\r\n"), Frame("""{"seq":2}""")));
        Assert.Equal(DapFrameKind.Skipped, frames[0].Kind);
        Assert.Equal("skipped a DAP header at stream offset 0: no Content-Length header", frames[0].Error);
        Assert.Equal(DapFrameKind.Message, frames[1].Kind);
        Assert.Equal("""{"seq":2}""", Text(frames[1]));
        Assert.Equal(DapFrameKind.EndOfStream, frames[2].Kind);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("12x")]
    [InlineData("")]
    public async Task BadContentLengthIsSkipped(string value)
    {
        var frames = await ReadAll(Concat(Frame("{}", $"Content-Length: {value}\r\n\r\n"), Frame("""{"ok":1}""")));
        Assert.Equal(DapFrameKind.Skipped, frames[0].Kind);
        Assert.Contains($"Content-Length '{value}' is not a non-negative integer", frames[0].Error);
        Assert.Equal("""{"ok":1}""", Text(frames[1]));
    }

    [Fact]
    public async Task GarbageBeforeAHeaderIsSkipped()
    {
        var frames = await ReadAll(Concat("hello\r\nworld"u8.ToArray(), Frame("""{"seq":1}""")), chunk: 5);
        Assert.Equal(DapFrameKind.Skipped, frames[0].Kind);
        Assert.Contains("is not 'Name: value'", frames[0].Error);
        Assert.Equal("""{"seq":1}""", Text(frames[1]));
    }

    [Fact]
    public async Task HeaderWithoutEndIsSkippedAfterTheLimit()
    {
        var garbage = Encoding.ASCII.GetBytes(new string('g', DapMessageReader.MaxHeaderBytes + 100));
        var frames = await ReadAll(Concat(garbage, Frame("""{"seq":1}""")));
        Assert.Equal(DapFrameKind.Skipped, frames[0].Kind);
        Assert.Contains($"no end of DAP header within {DapMessageReader.MaxHeaderBytes} bytes", frames[0].Error);
        Assert.Equal("""{"seq":1}""", Text(frames[1]));
    }

    [Fact]
    public async Task HugeContentLengthIsFatal()
    {
        var reader = new DapMessageReader(new MemoryStream(Frame("{}", "Content-Length: 99999999999\r\n\r\n")), maxBodyBytes: 1 << 20);
        var e = await Assert.ThrowsAsync<DapProtocolException>(() => DapTestClient.Within(reader.ReadAsync().AsTask()));
        Assert.Equal("DAP header at stream offset 0: Content-Length 99999999999 exceeds the limit of 1048576 bytes", e.Message);
    }

    [Fact]
    public async Task StreamEndingInsideABodyIsReported()
    {
        var frames = await ReadAll(Encoding.ASCII.GetBytes("Content-Length: 10\r\n\r\n{\"a\""));
        Assert.Single(frames);
        Assert.Equal(DapFrameKind.EndOfStream, frames[0].Kind);
        Assert.Equal("stream ended inside a DAP body after 4 of 10 bytes", frames[0].Error);
    }

    [Fact]
    public async Task StreamEndingInsideAHeaderIsReported()
    {
        var frames = await ReadAll(Encoding.ASCII.GetBytes("Content-Len"));
        Assert.Equal(DapFrameKind.EndOfStream, frames[0].Kind);
        Assert.Equal("stream ended inside a DAP header at offset 0 (11 bytes)", frames[0].Error);
    }

    [Fact]
    public async Task ZeroLengthBodyIsAMessage()
    {
        var frames = await ReadAll(Frame(""));
        Assert.Equal(DapFrameKind.Message, frames[0].Kind);
        Assert.Equal(0, frames[0].Body.Length);
    }
}
