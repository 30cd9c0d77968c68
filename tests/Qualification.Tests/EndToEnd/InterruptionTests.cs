using System.Diagnostics;
using Qualification.Domain.Evidence;
using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>Nothing is lost when a run is interrupted or killed.</summary>
public class InterruptionTests
{
    // A metering service that never answers keeps the run waiting, so it is surely mid-run when signalled.
    private static Process StartSlowRun(string results) =>
        Qualify.Start(["run", "--results", results, "--time-scale", "60", "--reference-service-fault", "ignore-appointment-requests"]);

    private static async Task WaitForJournalAsync(string results, int records)
    {
        var path = Path.Combine(results, "journal.jsonl");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(path) && File.ReadLines(path).Count() >= records) return;
            await Task.Delay(100);
        }
        Assert.Fail($"the run wrote fewer than {records} journal records in 60 s");
    }

    private static void Signal(Process process, string signal) => Process.Start("kill", $"-{signal} {process.Id}")!.WaitForExit();

    [Test]
    public async Task Sigterm_StopsTheRun_AndWritesEvidenceMarkedInterrupted()
    {
        var results = Qualify.TempDir("sigterm");
        using var run = StartSlowRun(results);
        var output = run.StandardOutput.ReadToEndAsync();
        await WaitForJournalAsync(results, 5);
        Signal(run, "TERM");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await run.WaitForExitAsync(cts.Token);

        Assert.That(run.ExitCode, Is.EqualTo(1), await output);
        var summary = Qualify.Summary(results);
        Assert.That(summary["interrupted"]!.GetValue<bool>(), Is.True);
        Assert.That(summary["gate"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("the run was interrupted"));
        Assert.That(Journal.Read(Path.Combine(results, "journal.jsonl")).All(r => r.Problem is null), "every journal line is whole");
    }

    [Test]
    public async Task Sigkill_LeavesAJournalWholeUpToTheLastRecord()
    {
        var results = Qualify.TempDir("sigkill");
        using var run = StartSlowRun(results);
        await WaitForJournalAsync(results, 5);
        run.Kill();
        await run.WaitForExitAsync();

        var read = Journal.Read(Path.Combine(results, "journal.jsonl")).ToList();
        Assert.That(read.Count(r => r.Problem is not null), Is.LessThanOrEqualTo(1), "at most the line being written when killed is cut");
        Assert.That(read.Take(read.Count - 1).All(r => r.Problem is null), "all earlier lines are whole");
        Assert.That(read.Select(r => r.Record?.Sequence).Where(s => s is not null), Is.Ordered, "records in order, none missing");
        var sequences = read.Where(r => r.Record is not null).Select(r => r.Record!.Sequence).ToList();
        Assert.That(sequences, Is.EqualTo(Enumerable.Range(1, sequences.Count).Select(i => (long)i)), "no gap in the sequence");
        Assert.That(read.Any(r => r.Record?.Kind == JournalKind.Inbound), "the candidate's messages are there");
        Assert.That(File.Exists(Path.Combine(results, "summary.json")), Is.False, "killed before the summary");
    }
}
