using System.Text.Json.Nodes;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>The CI gate: --must-pass and waivers, seen through exit codes and every report.</summary>
[NonParallelizable]
public class GateTests
{
    private static readonly string[] Faulty = ["--time-scale", "3600", "--reference-fault", "late-appointment=1.5s", "--reference-fault", "efd-utc-midnight"];

    private static string Waivers(string dir, string yaml)
    {
        var path = Path.Combine(dir, "waivers.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Test]
    public async Task WaivedFailure_ShowsAsWaivedEverywhere_NeverAsPassed_AndAnExpiredWaiverIsIgnoredWithAWarning()
    {
        var dir = Qualify.TempDir("waived");
        var waivers = Waivers(dir, """
            waivers:
              - requirement: REC-MO-22.6.1
                reason: "Known batch delay, fix in release 4.2 (ticket QA-17)"
                expires: 2099-12-31
              - requirement: MHHS-APP-EFD-MIDNIGHT
                reason: "Old exception"
                expires: 2020-01-01
            """);
        var results = Path.Combine(dir, "run");
        var run = await Qualify.RunAsync(["run", "--results", results, "--waivers", waivers, .. Faulty]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        Assert.That(run.Output, Does.Contain("waiver for MHHS-APP-EFD-MIDNIGHT expired on 2020-01-01; ignored"));
        var summary = Qualify.Summary(results);
        var req = summary["requirements"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!);
        Assert.That(req["REC-MO-22.6.1"]["verdict"]!.GetValue<string>(), Is.EqualTo("WAIVED"));
        Assert.That(req["REC-MO-22.6.1"]["judgedVerdict"]!.GetValue<string>(), Is.EqualTo("FAILED"));
        Assert.That(req["REC-MO-22.6.1"]["waiver"]!["reason"]!.GetValue<string>(), Does.Contain("QA-17"));
        Assert.That(req["MHHS-APP-EFD-MIDNIGHT"]["verdict"]!.GetValue<string>(), Is.EqualTo("FAILED"));
        var reasons = summary["gate"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.That(reasons, Has.Some.StartsWith("MHHS-APP-EFD-MIDNIGHT FAILED"));
        Assert.That(reasons, Has.None.StartsWith("REC-MO-22.6.1"));
        // Waived is not passed: the pass rate leaves it out rather than counting it as a pass.
        var judged = req.Values.Count(r => r["judgedVerdict"]!.GetValue<string>() is not "SKIPPED");
        var passed = req.Values.Count(r => r["verdict"]!.GetValue<string>() is "PASSED" or "WARNING");
        Assert.That(summary["passRate"]!.GetValue<double>(), Is.EqualTo(Math.Round((double)passed / (judged - 1), 4)));

        // The closing summary, the RTTM, JUnit and Allure all say WAIVED.
        Assert.That(run.Output, Does.Contain("WAIVED        REC-MO-22.6.1").And.Contain("Waived (not counted as passed):"));
        Assert.That(File.ReadAllText(Path.Combine(results, "rttm.csv")), Does.Contain("\"REC-MO-22.6.1\"").And.Contain(",WAIVED,"));
        Assert.That(File.ReadAllText(Path.Combine(results, "rttm.html")), Does.Contain("class=\"WAIVED\""));
        Assert.That(File.ReadAllText(Path.Combine(results, "junit.xml")), Does.Contain("verdict:REC-MO-22.6.1\" value=\"WAIVED\""));
        var allure = Directory.GetFiles(Path.Combine(results, "allure-results"), "*-result.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!)
            .Single(r => r["labels"]!.AsArray().Any(l => l!["name"]!.GetValue<string>() == "story" && l["value"]!.GetValue<string>() == "REC-MO-22.6.1"));
        Assert.That(allure["status"]!.GetValue<string>(), Is.EqualTo("skipped"));
        Assert.That(allure["statusDetails"]!["message"]!.GetValue<string>(), Does.StartWith("WAIVED"));
    }

    [Test]
    public async Task MustPass_FailsTheGate_EvenWhenWaivedOrAboveTheRate_AndAllWaivedPasses()
    {
        var dir = Qualify.TempDir("must-pass");
        var waivers = Waivers(dir, """
            waivers:
              - { requirement: REC-MO-22.6.1, reason: "accepted for pilot", expires: 2099-12-31 }
              - { requirement: MHHS-APP-EFD-MIDNIGHT, reason: "accepted for pilot", expires: 2099-12-31 }
            """);

        var waivedOnly = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "a"), "--waivers", waivers, "--must-pass", "MHHS-DIP-IF031-VALID", .. Faulty]);
        Assert.That(waivedOnly.ExitCode, Is.EqualTo(0), waivedOnly.All);
        Assert.That(waivedOnly.Output, Does.Contain("GATE PASSED").And.Contain("must pass: MHHS-DIP-IF031-VALID"));

        var mustPass = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "b"), "--waivers", waivers, "--must-pass", "REC-MO-22.6.1", "--min-pass-rate", "0", .. Faulty]);
        Assert.That(mustPass.ExitCode, Is.EqualTo(1), mustPass.All);
        Assert.That(mustPass.Output, Does.Contain("waiver for REC-MO-22.6.1 does not apply: it is a must-pass requirement"));
        Assert.That(mustPass.Output, Does.Contain("GATE FAILED").And.Contain("  - REC-MO-22.6.1 FAILED"));
        var verdicts = Qualify.Verdicts(Qualify.Summary(Path.Combine(dir, "b")));
        Assert.That(verdicts["REC-MO-22.6.1"], Is.EqualTo("FAILED"));
        Assert.That(verdicts["MHHS-APP-EFD-MIDNIGHT"], Is.EqualTo("WAIVED"));
    }

    [Test]
    public async Task UnknownMustPassRequirement_IsBrokenInput()
    {
        var run = await Qualify.RunAsync(["run", "--results", Qualify.TempDir("unknown"), "--must-pass", "NO-SUCH-REQ"]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        Assert.That(run.Error, Does.Contain("--must-pass NO-SUCH-REQ"));
    }

    [Test]
    public async Task RunWithFailures_WritesJUnitPerScenario_AndTheCucumberReport()
    {
        var (dir, run, _) = await FaultyRun.GetAsync();
        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "junit.xml"));
        var cases = junit.Descendants("testcase").ToList();
        Assert.That(cases, Has.Count.EqualTo(Qualify.Summary(dir)["scenarios"]!["total"]!.GetValue<int>()));
        var failed = cases.Where(c => c.Element("failure") is not null).ToList();
        Assert.That(failed, Is.Not.Empty);
        Assert.That(failed.SelectMany(c => c.Descendants("property").Where(p => (string?)p.Attribute("name") == "requirement").Select(p => (string?)p.Attribute("value"))),
            Is.SupersetOf(FaultyRun.FailedRequirements));
        Assert.That(failed.Select(c => c.Element("failure")!.Value), Has.Some.Contains("REC-MO-22.6.1 FAILED"));

        // Reqnroll's formatters: full messages (a pickle and a test case per scenario) and the HTML report.
        var ndjson = File.ReadAllLines(Path.Combine(dir, "cucumber-messages.ndjson"));
        Assert.That(ndjson.Count(l => l.StartsWith("{\"pickle\"", StringComparison.Ordinal)), Is.EqualTo(cases.Count));
        Assert.That(ndjson.Count(l => l.StartsWith("{\"testCase\"", StringComparison.Ordinal)), Is.EqualTo(cases.Count));
        Assert.That(ndjson.Last(l => l.Contains("testRunFinished", StringComparison.Ordinal)), Does.Contain("\"success\":false"));
        Assert.That(new FileInfo(Path.Combine(dir, "cucumber-report.html")).Length, Is.GreaterThan(10_000));
    }
}
