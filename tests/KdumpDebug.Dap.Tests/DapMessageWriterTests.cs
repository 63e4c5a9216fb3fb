using System.Text;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Tests;

public class DapMessageWriterTests
{
    [Fact]
    public async Task WritesContentLengthInBytesThenBody()
    {
        var output = new MemoryStream();
        await DapTestClient.Within(new DapMessageWriter(output).WriteAsync(Encoding.UTF8.GetBytes("""{"a":"é"}""")));
        Assert.Equal("Content-Length: 10\r\n\r\n{\"a\":\"é\"}", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task ConcurrentWritesNeverInterleave()
    {
        var output = new MemoryStream();
        var writer = new DapMessageWriter(output);
        var bodies = Enumerable.Range(0, 200).Select(i => $$"""{"n":{{i}},"pad":"{{new string('p', i * 37)}}"}""").ToList();
        await DapTestClient.Within(Task.WhenAll(bodies.Select(b => Task.Run(() => writer.WriteAsync(Encoding.UTF8.GetBytes(b))))));

        var reader = new DapMessageReader(new MemoryStream(output.ToArray()));
        var read = new List<string>();
        for (var f = await DapTestClient.Within(reader.ReadAsync().AsTask()); f.Kind == DapFrameKind.Message; f = await DapTestClient.Within(reader.ReadAsync().AsTask()))
            read.Add(Encoding.UTF8.GetString(f.Body.Span));
        Assert.Equal(bodies.Order(), read.Order());
    }
}
