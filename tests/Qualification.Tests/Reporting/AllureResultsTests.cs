using System.Collections.Specialized;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Runner.Execution;
using Qualification.Runner.Reporting;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>The Allure results an assessor's report is built from.</summary>
public class AllureResultsTests
{
    private static List<JsonNode> Results(string dir) =>
        Directory.GetFiles(dir, "*-result.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();

    private static string? Label(JsonNode result, string name) =>
        result["labels"]!.AsArray().FirstOrDefault(l => l!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();

    [Test]
    public async Task FailedRequirement_CarriesLabelsLink_StepsWithTiming_AndItsEvidenceMessages()
    {
        var (dir, run, _) = await FaultyRun.GetAsync();
        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        var results = Path.Combine(dir, "allure-results");
        var r = Results(results).Single(x => Label(x, "story") == "REC-MO-22.6.1");

        Assert.That(r["status"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(r["statusDetails"]!["message"]!.GetValue<string>(), Does.StartWith("FAILED: IF-031"));
        Assert.That(Label(r, "epic"), Is.EqualTo("supplier-agent-appointment"));
        Assert.That(Label(r, "feature"), Is.Not.Null.And.Not.Empty);
        Assert.That(Label(r, "severity"), Is.EqualTo("critical"), "mandatory requirement");
        var link = r["links"]!.AsArray().Single()!;
        Assert.That((link["type"]!.GetValue<string>(), link["name"]!.GetValue<string>()), Is.EqualTo(("tms", "REC-MO-22.6.1")));

        // Steps: one per covering scenario, with its Gherkin steps, each with status and timing.
        var steps = r["steps"]!.AsArray();
        Assert.That(steps, Is.Not.Empty);
        foreach (var scenario in steps)
        {
            Assert.That(scenario!["name"]!.GetValue<string>(), Does.StartWith("Scenario: "));
            Assert.That(scenario["stop"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(scenario["start"]!.GetValue<long>()));
            Assert.That(scenario["steps"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()), Is.Not.Empty.And.All.AnyOf("passed", "failed", "skipped", "broken"));
            var names = scenario["attachments"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()).ToList();
            Assert.That(names, Has.Some.Contains("IF-031 received by the DIP").And.Some.Contains("DIP answered HTTP").And.Some.EqualTo("Market-time timeline"));
        }
        Assert.That(steps.SelectMany(s => s!["steps"]!.AsArray()).Select(s => s!["status"]!.GetValue<string>()), Has.Some.EqualTo("failed"));

        // Evidence attachments name the journal message and hold its body.
        var evidence = r["attachments"]!.AsArray().Where(a => a!["name"]!.GetValue<string>().StartsWith("Evidence J", StringComparison.Ordinal)).ToList();
        Assert.That(evidence, Is.Not.Empty);
        var body = JsonNode.Parse(File.ReadAllText(Path.Combine(results, evidence.First()!["source"]!.GetValue<string>())))!;
        Assert.That(body["requirement"]!.GetValue<string>(), Is.EqualTo("REC-MO-22.6.1"));
        Assert.That(body["message"]?.ToJsonString(), Does.Contain("CommonBlock"));
        Assert.That(r["attachments"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()), Has.Some.EqualTo("Findings"));

        Assert.That(File.ReadAllText(Path.Combine(results, "environment.properties")), Does.Contain("candidate=").And.Contain("gate.minPassRate=1"));
        Assert.That(JsonNode.Parse(File.ReadAllText(Path.Combine(results, "executor.json")))!["buildName"]!.GetValue<string>(), Is.EqualTo(Qualify.Summary(dir)["runId"]!.GetValue<string>()));
        var categories = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "categories.json")))!.AsArray();
        Assert.That(categories.Select(c => c!["matchedStatuses"]!.AsArray()[0]!.GetValue<string>()), Does.Contain("failed").And.Contain("broken"));
    }

    [Test]
    public async Task Report_KeepsOneHistoryLinePerReportedRun_InTheReportsFolder()
    {
        var (dir, _, report) = await FaultyRun.GetAsync();
        var history = Path.Combine(Path.GetDirectoryName(dir)!, "allure-history.jsonl");
        Assert.That(File.Exists(history), report.All);
        var before = File.ReadAllLines(history).Length;
        // A second report of the same run adds one line (the single-file copy does not append again).
        var again = await Qualify.RunAsync(["report", "--results", dir, "--min-pass-rate", "0.5"], TimeSpan.FromMinutes(3));
        Assert.That(again.ExitCode, Is.EqualTo(0), "pass rate is above 0.5, so Allure's quality gate passes\n" + again.All);
        Assert.That(again.Output, Does.Contain("ALLURE QUALITY GATE PASSED"));
        Assert.That(File.ReadAllLines(history), Has.Length.EqualTo(before + 1));
    }

    [Test]
    public void HarnessFault_IsBroken_NotACandidateFailure_InAllureAndJUnit()
    {
        var requirement = new Requirement { Id = "R-1", Title = "Something observable", Process = "p", Source = "s", Roles = ["SUP"], Mandatory = false };
        var scenario = new ScenarioCase { Id = "f.feature:3", FeatureFile = "f.feature", FeatureName = "F", Name = "S", Steps = [], Tags = ["req:R-1"], Arguments = new OrderedDictionary() };
        var now = DateTimeOffset.UtcNow;
        var step = new StepResult(new StepCase("Given ", "Given", "(runtime)", null, null, 3), Outcome.Broken, now, now, "harness fault: boom");
        var report = new RunReport
        {
            RunId = "t", Candidate = "c", Candidates = [("c", "SUP", "2300000001")], StartedAt = now, FinishedAt = now,
            Scenarios = [new ScenarioResult(scenario, Outcome.Broken, [step], now, now, "harness fault: boom", Instant.FromUnixTimeSeconds(0), Instant.FromUnixTimeSeconds(60))],
            Requirements = [new RequirementResult(requirement, Verdict.NotObserved, [], [scenario.Id], "not triggered")],
        };
        var dir = Qualify.TempDir("allure-broken");
        new AllureWriter(report, []).Write(dir);
        var r = Results(dir).Single();
        Assert.That(r["status"]!.GetValue<string>(), Is.EqualTo("broken"));
        Assert.That(r["statusDetails"]!["message"]!.GetValue<string>(), Does.Contain("harness fault").And.Contain("not a candidate failure"));
        Assert.That(Label(r, "severity"), Is.EqualTo("normal"), "optional requirement");
        var junit = System.Xml.Linq.XDocument.Parse(JUnitWriter.Write(report));
        Assert.That(junit.Descendants("error").Count(), Is.EqualTo(1));
        Assert.That(junit.Descendants("failure"), Is.Empty);
    }
}
