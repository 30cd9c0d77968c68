using System.Text;
using Qualification.Runner.Execution;
using Qualification.Tests.Support;

namespace Qualification.Tests.Scale;

/// <summary>The byte-level line reader under `qualify evaluate`: it must split exactly as a StreamReader does.</summary>
[TestFixture]
public class Utf8LineBatchesTests
{
    private static async Task<List<string>> LinesAsync(string path, int perBatch)
    {
        var lines = new List<string>();
        await foreach (var batch in Utf8LineBatches.ReadAsync(path, perBatch, CancellationToken.None))
            using (batch)
                for (var i = 0; i < batch.Count; i++) lines.Add(Encoding.UTF8.GetString(batch[i].Span));
        return lines;
    }

    private static List<string> Expected(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    [TestCase("a\nb\n", 1)]
    [TestCase("a\r\nb\r\n\r\nc", 2)]
    [TestCase("\uFEFF{\"x\":1}\n{\"y\":\"é\"}", 1000)]
    [TestCase("", 3)]
    [TestCase("\n\n\n", 2)]
    [TestCase("only line without newline", 5)]
    public async Task Lines_are_those_a_StreamReader_reads(string text, int perBatch)
    {
        var path = Path.Combine(Qualify.TempDir("utf8-lines"), "f.jsonl");
        await File.WriteAllTextAsync(path, text, new UTF8Encoding(false));
        Assert.That(await LinesAsync(path, perBatch), Is.EqualTo(Expected(path)));
    }

    [Test]
    public async Task Lines_across_buffer_boundaries_and_longer_than_the_buffer_are_whole()
    {
        // 1 MiB buffers: lines of every length around the boundary, and one 3 MiB line.
        var random = new Random(7);
        var written = Enumerable.Range(0, 4000).Select(i => new string((char)('a' + i % 26), random.Next(0, 900))).ToList();
        written.Insert(1500, new string('x', 3 << 20));
        var path = Path.Combine(Qualify.TempDir("utf8-lines"), "big.jsonl");
        await File.WriteAllTextAsync(path, string.Join("\n", written) + "\n", new UTF8Encoding(false));
        var read = await LinesAsync(path, 1000);
        Assert.That(read, Has.Count.EqualTo(written.Count));
        Assert.That(read, Is.EqualTo(written));
    }
}
