using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>The newcomer's path: `qualify run` with no candidate qualifies the reference participants.</summary>
public class ReferenceRunTests
{
    [Test]
    public async Task RunWithoutCandidate_PassesEveryRequirement_AndWritesEvidence()
    {
        var results = Qualify.TempDir("reference");
        var run = await Qualify.RunAsync(["run", "--results", results]);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.All);
        var summary = Qualify.Summary(results);
        Assert.That(summary["passRate"]!.GetValue<double>(), Is.EqualTo(1.0));
        var verdicts = Qualify.Verdicts(summary);
        Assert.That(verdicts, Is.Not.Empty);
        // Every judged requirement passes; only requirements catalogued as planned are skipped.
        var planned = summary["requirements"]!.AsArray().Where(r => r!["reason"]!.GetValue<string>().StartsWith("planned", StringComparison.Ordinal))
            .Select(r => r!["id"]!.GetValue<string>()).ToHashSet();
        Assert.That(verdicts.Where(v => v.Value != "PASSED" && !planned.Contains(v.Key)), Is.Empty, run.All);
        Assert.That(verdicts.Where(v => planned.Contains(v.Key)).Select(v => v.Value), Is.All.EqualTo("SKIPPED"));
        Assert.That(summary["scenarios"]!["failed"]!.GetValue<int>(), Is.Zero);
        Assert.That(summary["candidate"]!.GetValue<string>(), Does.Contain("reference"));
        Assert.That(summary["startedAt"], Is.Not.Null);
        var requirement = summary["requirements"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == "REC-MO-22.6.1")!;
        Assert.That(requirement["interfaces"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EquivalentTo(new[] { "IF-002", "IF-031" }));
        Assert.That(requirement["evidence"]!.AsArray(), Is.Not.Empty);

        // The journal holds every message exchanged, one JSON object per line.
        var journal = File.ReadAllLines(Path.Combine(results, "journal.jsonl"));
        Assert.That(journal.Count(l => l.Contains("\"kind\":\"inbound\"") && l.Contains("IF-031")), Is.GreaterThanOrEqualTo(3));
        Assert.That(journal.Count(l => l.Contains("\"kind\":\"push\"") && l.Contains("IF-036")), Is.GreaterThanOrEqualTo(2));
        // One Allure result per catalogue requirement (assessors decide per requirement).
        Assert.That(Directory.GetFiles(Path.Combine(results, "allure-results"), "*-result.json"), Has.Length.EqualTo(summary["requirements"]!.AsArray().Count));
        Assert.That(File.Exists(Path.Combine(results, "rttm.csv")) && File.Exists(Path.Combine(results, "rttm.html")));
        // The console is the user's: the test runtime's own start-up chatter stays out of it.
        Assert.That(run.Output, Does.Not.Contain("-> Loading plugin").And.Not.Contain("-> Using reqnroll.json"));
    }

    [Test]
    public async Task BuiltInFaultySupplier_FailsExactlyTheBrokenRequirements()
    {
        var results = Qualify.TempDir("faulty-builtin");
        var run = await Qualify.RunAsync(["run", "--results", results, "--time-scale", "1200",
            "--reference-fault", "late-appointment=4.5s", "--reference-fault", "efd-utc-midnight"]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        var failed = Qualify.Verdicts(Qualify.Summary(results)).Where(v => v.Value == "FAILED").Select(v => v.Key);
        Assert.That(failed, Is.EquivalentTo(new[] { "REC-MO-22.6.1", "MHHS-APP-EFD-MIDNIGHT" }), run.All);
        Assert.That(run.Output, Does.Contain("GATE FAILED"));
    }
}
