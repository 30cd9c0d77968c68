using System.Diagnostics;
using Qualification.Runner.Composition;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>
/// The Supply Number a candidate supplier prints is read back whichever way it is driven: from the
/// driver API's answer, or from the page its portal shows (profile portal.actions.bill.answers) in a
/// real browser. An operator prompt cannot return it, so the scenarios are skipped there, never passed.
/// </summary>
public class SupplyNumberDrivingTests
{
    private const string DipId = "2300000077", Mpid = "CSUP";

    private static async Task<Process> StartSupplierAsync(DriverRuns.Ports ports, params string[] faults)
    {
        var process = Qualify.Start(["participant", "--role", "SUP", "--dip-id", DipId, "--mpid", Mpid, "--listen", ports.CandidateUrl,
            "--dip-url", $"http://127.0.0.1:{ports.Dip}", "--css-url", $"http://127.0.0.1:{ports.Css}", .. faults.SelectMany(f => new[] { "--fault", f })]);
        try { await Qualify.WaitForLineAsync(process, "listening", TimeSpan.FromSeconds(30)); }
        catch { DriverRuns.Stop(process); throw; }
        return process;
    }

    private static string Profile(string dir, DriverRuns.Ports ports, string driving)
    {
        var path = Path.Combine(dir, "profile.yaml");
        File.WriteAllText(path, $$"""
            participant: { name: Candidate Supplier, role: SUP, dipId: "{{DipId}}", mpid: {{Mpid}}, segments: [S, A] }
            endpoints: { callbackUrl: "{{ports.CandidateUrl}}/dip/inbound" }
            harness: { dipUrl: "http://127.0.0.1:{{ports.Dip}}", cssUrl: "http://127.0.0.1:{{ports.Css}}" }

            """ + driving);
        return path;
    }

    private static string Portal(DriverRuns.Ports ports) => $$"""
        drive: browser
        portal:
          baseUrl: "{{ports.CandidateUrl}}"
          actions:
            bill:
              path: /portal/bill
              fields: { marketTime: "#marketTime", mpan: "#mpan", migrated: "#migrated", profileClass: "#profileClass", ssc: "#ssc", meterTimeswitchCode: "#meterTimeswitchCode", llfc: "#llfc", duosTariffId: "#duosTariffId" }
              submit: "#submit"
              success: "Accepted: bill"
              answers: { supplyNumber.topLine: "#supply-number-top", supplyNumber.bottomLine: "#supply-number-bottom" }

        """;

    [TestCase(false, "PASSED")]
    [TestCase(true, "FAILED")]
    public async Task Browser_ReadsTheSupplyNumberFromThePortal(bool legacy, string verdict)
    {
        if (!File.Exists(BrowserDriver.ChromiumPath))
            Assert.Ignore($"{BrowserDriver.ChromiumPath} is not installed (apt-get install -y chromium), so the portal cannot be driven in a real browser here.");
        var dir = Qualify.TempDir("supply-number-browser");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await StartSupplierAsync(ports, legacy ? ["legacy-supply-number"] : []);
        try
        {
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(["run", "--candidate", Profile(dir, ports, Portal(ports)), "--results", results, "--tags", "@process:supply-number"]);

            Assert.That(run.ExitCode, Is.EqualTo(legacy ? 1 : 0), run.All);
            Assert.That(Qualify.Verdicts(Qualify.Summary(results))["REC-R0083-SUPPLYNUMBER"], Is.EqualTo(verdict), run.All);
            var bills = File.ReadLines(Path.Combine(results, "journal.jsonl")).Where(l => l.Contains("\"eventCode\":\"bill\"", StringComparison.Ordinal)).ToList();
            Assert.That(bills, Has.Count.EqualTo(3), run.All);
            Assert.That(bills, Has.All.Contains("\"channel\":\"browser\"").And.All.Contains("\"topLine\":\"S "), run.All);
        }
        finally { DriverRuns.Stop(candidate); }
    }

    [Test]
    public async Task Prompt_CannotReturnTheSupplyNumber_SoTheScenariosAreSkipped()
    {
        var dir = Qualify.TempDir("supply-number-prompt");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await StartSupplierAsync(ports);
        try
        {
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(["run", "--candidate", Profile(dir, ports, "drive: prompt\n"), "--results", results, "--tags", "@process:supply-number"]);

            var summary = Qualify.Summary(results);
            Assert.That(summary["scenarios"]!["skipped"]!.GetValue<int>(), Is.EqualTo(3), run.All);
            Assert.That(Qualify.Verdicts(summary)["REC-R0083-SUPPLYNUMBER"], Is.Not.EqualTo("PASSED").And.Not.EqualTo("FAILED"), run.All);
            Assert.That(run.All, Does.Contain("cannot return the Supply Number"));
        }
        finally { DriverRuns.Stop(candidate); }
    }
}
