using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Runner.Execution;
using Qualification.Runner.Reporting;
using Qualification.Tests.Support;

namespace Qualification.Tests.Scale;

/// <summary>
/// `qualify evaluate`: the rules over recorded traffic. One real run (with a faulty
/// reference supplier, so a requirement fails) is shared by the run-journal tests.
/// </summary>
[TestFixture]
[NonParallelizable]
public class OfflineEvaluationTests
{
    private const string Tags = "@role:SUP or @process:metering-service-appointment";
    private string _run = "";
    private JsonObject _runSummary = null!;

    [OneTimeSetUp]
    public async Task RunOnce()
    {
        _run = Path.Combine(Qualify.TempDir("scale-run"), "run");
        var run = await Qualify.RunAsync(["run", "--results", _run, "--time-scale", "3600", "--tags", Tags, "--reference-fault", "ignore-reminders"]);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.All); // the fault fails MHHS-IF045-ACTION
        _runSummary = Qualify.Summary(_run);
    }

    [Test]
    public async Task Evaluating_a_run_journal_gives_the_runs_verdicts()
    {
        var outDir = Qualify.TempDir("scale-eval-run");
        var result = await Qualify.RunAsync(["evaluate", "--journal", Path.Combine(_run, "journal.jsonl"), "--out", outDir]);
        var expected = Qualify.Verdicts(_runSummary);
        Assert.That(expected.Values, Does.Contain("FAILED").And.Contain("PASSED"), "the run should give both verdicts, or the comparison proves little");
        var summary = Qualify.Summary(outDir);
        Assert.That(Qualify.Verdicts(summary), Is.EqualTo(expected), result.All);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(summary["offline"]!["interrupted"]!.GetValue<bool>(), Is.False);
        Assert.That(summary["scenarios"]!["total"]!.GetValue<int>(), Is.EqualTo(_runSummary["scenarios"]!["total"]!.GetValue<int>()));
        Assert.That(File.Exists(Path.Combine(outDir, "rttm.csv")) && Directory.EnumerateFiles(Path.Combine(outDir, "allure-results"), "*-result.json").Any(), result.All);
    }

    [Test]
    public async Task A_truncated_last_line_and_a_corrupt_line_are_reported_and_skipped()
    {
        var dir = Qualify.TempDir("scale-truncated");
        var lines = File.ReadAllLines(Path.Combine(_run, "journal.jsonl")).ToList();
        lines.Insert(3, "{\"seq\":99999,\"kind\":\"inbo");
        var journal = Path.Combine(dir, "journal.jsonl");
        var last = lines[^1];
        File.WriteAllText(journal, string.Join("\n", lines.Take(lines.Count - 1)) + "\n" + last[..(last.Length / 2)]); // cut as a kill would
        var outDir = Path.Combine(dir, "out");
        var result = await Qualify.RunAsync(["evaluate", "--journal", journal, "--out", outDir]);
        Assert.That(result.ExitCode, Is.Not.EqualTo(2), result.All);
        var offline = Qualify.Summary(outDir)["offline"]!;
        Assert.That(offline["skippedLines"]!.GetValue<long>(), Is.EqualTo(2), result.All);
        var numbers = offline["problems"]!.AsArray().Select(p => p!["line"]!.GetValue<long>()).ToList();
        Assert.That(numbers, Is.EqualTo(new long[] { 4, lines.Count }));
        Assert.That(result.Output, Does.Contain($":{lines.Count}:"));
        // The last line was the final scenario's end marker: that scenario never ended.
        Assert.That(offline["interrupted"]!.GetValue<bool>(), Is.True);
        Assert.That(offline["unfinishedScenarios"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_journal_without_scenario_ended_markers_is_marked_interrupted()
    {
        var dir = Qualify.TempDir("scale-interrupted");
        var journal = Path.Combine(dir, "journal.jsonl");
        File.WriteAllLines(journal, File.ReadAllLines(Path.Combine(_run, "journal.jsonl")).Where(l => !l.Contains("\"scenario ended", StringComparison.Ordinal)));
        var outDir = Path.Combine(dir, "out");
        var result = await Qualify.RunAsync(["evaluate", "--journal", journal, "--out", outDir]);
        var summary = Qualify.Summary(outDir);
        Assert.That(summary["interrupted"]!.GetValue<bool>(), Is.True, result.All);
        Assert.That(summary["gate"]!["passed"]!.GetValue<bool>(), Is.False);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
    }

    [Test]
    public async Task Generated_journal_verdicts_equal_evaluating_each_mpan_one_by_one()
    {
        var dir = Qualify.TempDir("scale-20k");
        var journal = Path.Combine(dir, "journal.jsonl");
        var generated = await Qualify.RunAsync(["generate-journal", "--out", journal, "--messages", "20000", "--mpans", "2000", "--seed", "7"]);
        Assert.That(generated.ExitCode, Is.EqualTo(0), generated.All);
        // A short idle window so MPANs close while the journal streams (the bounded-memory path), not only at the end.
        var fast = await Qualify.RunAsync(["evaluate", "--journal", journal, "--out", Path.Combine(dir, "fast"), "--idle-days", "1"]);
        var slow = await Qualify.RunAsync(["evaluate", "--journal", journal, "--out", Path.Combine(dir, "slow"), "--idle-days", "1", "--reference"]);
        var a = Qualify.Summary(Path.Combine(dir, "fast"));
        var b = Qualify.Summary(Path.Combine(dir, "slow"));
        Assert.That(a["offline"]!["peakOpenPartitions"]!.GetValue<int>(), Is.LessThan(a["offline"]!["partitions"]!.GetValue<long>()), fast.All);
        Assert.That(Qualify.Verdicts(a), Is.EqualTo(Qualify.Verdicts(b)), fast.All + slow.All);
        Assert.That(a["offline"]!["findingCounts"]!.ToJsonString(), Is.EqualTo(b["offline"]!["findingCounts"]!.ToJsonString()));
        Assert.That(a["offline"]!["partitions"]!.GetValue<long>(), Is.EqualTo(b["offline"]!["partitions"]!.GetValue<long>()));
        Assert.That(Reasons(a), Is.EqualTo(Reasons(b)));
        Assert.That(Qualify.Verdicts(a).Values, Does.Contain("FAILED").And.Contain("PASSED"));

        // And the streamed roll-up equals RequirementEvaluator.Assess over every finding of the one-by-one evaluation.
        var catalog = RequirementCatalog.Load(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml"));
        var evaluator = new RequirementEvaluator(catalog, WorkingDayCalendar.Default);
        var candidates = a["candidates"]!.AsArray().Select(c => new Candidate(c!["dipId"]!.GetValue<string>(), c["role"]!.GetValue<string>(), "")).ToList();
        var all = new List<Finding>();
        ReferenceEvaluation.Run([journal], evaluator, new OfflineSettings { Candidates = candidates, IdleWindow = Duration.FromDays(1) }, Path.Combine(dir, "buckets"), all);
        var scopes = all.GroupBy(f => f.RequirementId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(f => f.Scenario).Distinct().ToList());
        var assessed = evaluator.Assess(all.OrderBy(f => f, FindingTally.Canonical).ToList(), scopes, candidates.Select(c => c.Role).ToHashSet());
        Assert.That(assessed.ToDictionary(r => r.Requirement.Id, r => RunReport.VerdictText(r.Verdict)), Is.EqualTo(Qualify.Verdicts(a)));
        // Reasons too (offline rewords only why an untriggered requirement is skipped).
        var judged = assessed.Where(r => r.Verdict != Verdict.Skipped).ToList();
        Assert.That(judged.ToDictionary(r => r.Requirement.Id, r => r.Reason), Is.EqualTo(Reasons(a).Where(kv => judged.Any(r => r.Requirement.Id == kv.Key)).ToDictionary()));
    }

    private static Dictionary<string, string> Reasons(JsonObject summary) =>
        summary["requirements"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!["reason"]!.GetValue<string>());
}
