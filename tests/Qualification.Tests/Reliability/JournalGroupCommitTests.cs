using System.Collections.Concurrent;
using Qualification.Domain.Evidence;

namespace Qualification.Tests.Reliability;

/// <summary>
/// The journal writes the records of concurrent appends together, one write and one flush for all of
/// them; it still promises each appender that its record is in the file when Append returns, and
/// that the file holds every record once, in sequence order.
/// </summary>
public class JournalGroupCommitTests
{
    [Test]
    public async Task Concurrent_appends_are_in_the_file_when_they_return_once_each_in_sequence_order()
    {
        var folder = Path.Combine(Path.GetTempPath(), "qualify-journal-group-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "journal.jsonl");
        try
        {
            const int threads = 4, each = 100;
            var notYetInFile = new ConcurrentBag<long>();
            List<JournalRecord> remembered;
            using (var journal = new Journal(path))
            {
                using var start = new Barrier(threads);
                await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
                {
                    start.SignalAndWait();
                    for (var i = 0; i < each; i++)
                    {
                        var written = journal.Append(new JournalRecord { Kind = JournalKind.Marker, Note = $"thread {t} record {i}" });
                        // Read back through a second handle, as a reader after a kill would.
                        if (!Journal.Read(path).Any(r => r.Record?.Sequence == written.Sequence)) notYetInFile.Add(written.Sequence);
                    }
                })));
                remembered = journal.Records.ToList();
            }

            var lines = Journal.Read(path).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(notYetInFile, Is.Empty, "records missing from the file when their Append returned");
                Assert.That(lines.Select(l => l.Problem), Has.All.Null, "every line is a whole record");
                Assert.That(lines.Select(l => l.Record!.Sequence), Is.EqualTo(Enumerable.Range(1, threads * each).Select(n => (long)n)), "each record once, in sequence order");
                Assert.That(remembered.Select(r => r.Sequence), Is.EqualTo(lines.Select(l => l.Record!.Sequence)), "the in-memory records in the same order");
                for (var t = 0; t < threads; t++)
                {
                    var mine = lines.Select(l => l.Record!.Note!).Where(n => n.StartsWith($"thread {t} ", StringComparison.Ordinal)).ToList();
                    Assert.That(mine, Is.EqualTo(Enumerable.Range(0, each).Select(i => $"thread {t} record {i}")), $"thread {t}'s records in the order it appended them");
                }
            });
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
