using System.Text.Json.Nodes;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>
/// drive: browser. The candidate is operated through its web portal: the profile maps each action to
/// a page, fields, a submit control and a success text, and the harness works the portal in Debian's
/// real Chromium (headless), screenshotting every UI step as evidence.
/// </summary>
public class BrowserDriverTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static string PortalSection(DriverRuns.Ports ports)
    {
        string Page(string action, params string[] fields) => $$"""
                {{action}}:
                  path: /portal/{{action}}
                  fields: { {{string.Join(", ", new[] { "marketTime" }.Concat(fields).Select(f => $"{f}: \"#{f}\""))}} }
                  submit: "#submit"
                  success: "Accepted: {{action}}"

            """;
        string[] works = ["mpan", "distributorDipId", "gspGroup", "meterId", "removedMeterId", "supplierDipId"];
        return $"""
            drive: browser
            portal:
              baseUrl: "{ports.CandidateUrl}"
              actions:

            """ + Page("install-meter", "mpan", "distributorDipId", "gspGroup", "meterId", "supplierDipId")
                + Page("exchange-meter", works) + Page("remove-meter", works)
                + Page("change-energisation", "mpan", "distributorDipId", "gspGroup", "status");
    }

    [Test]
    public async Task Browser_AppointmentAndMeterWorksScenariosPass_WithScreenshotsAsEvidence()
    {
        if (!File.Exists(Chromium))
            Assert.Ignore($"{Chromium} is not installed (apt-get install -y chromium; .ci/run installs it), so the portal cannot be driven in a real browser here.");
        var dir = Qualify.TempDir("drive-browser");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await DriverRuns.StartCandidateAsync(ports);
        try
        {
            var results = Path.Combine(dir, "run");
            // No driverUrl: the portal is the only way in.
            var run = await Qualify.RunAsync(DriverRuns.RunArgs(DriverRuns.Profile(dir, ports, PortalSection(ports)), results));

            DriverRuns.AssertQualified(run, results);
            var actions = DriverRuns.CandidateActions(results);
            Assert.That(actions.Select(a => a["eventCode"]!.GetValue<string>()), Is.EquivalentTo(new[] { "install-meter", "exchange-meter", "remove-meter" }), run.All);
            foreach (var a in actions)
            {
                Assert.That(a["body"]!["channel"]!.GetValue<string>(), Is.EqualTo("browser"));
                Assert.That(a["url"]!.GetValue<string>(), Does.StartWith(ports.CandidateUrl + "/portal/"));
                // The market time reached the candidate through the form's hidden field.
                Assert.That(a["body"]!["steps"]!.AsArray().Any(s => s!["parameter"]?.GetValue<string>() == "marketTime"
                    && s["value"]!.GetValue<string>() == a["marketTime"]!.GetValue<string>()), Is.True, a.ToJsonString());
                var shots = a["body"]!["screenshots"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
                Assert.That(shots, Has.Count.EqualTo(3), a.ToJsonString());
                foreach (var shot in shots)
                {
                    var file = new FileInfo(Path.Combine(results, shot));
                    Assert.That(file.Exists, Is.True, file.FullName);
                    // A real PNG from the browser, not an empty file.
                    var header = File.ReadAllBytes(file.FullName).Take(8).ToArray();
                    Assert.That(header, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), file.FullName);
                    Assert.That(file.Length, Is.GreaterThan(1000), file.FullName);
                }
            }
            // The Allure results attach the screenshots to the scenario steps.
            var attachments = Directory.GetFiles(Path.Combine(results, "allure-results"), "*-result.json")
                .Select(f => File.ReadAllText(f)).Where(t => t.Contains("image/png", StringComparison.Ordinal)).ToList();
            Assert.That(attachments, Is.Not.Empty, "no Allure result carries a screenshot");
            Assert.That(Directory.GetFiles(Path.Combine(results, "allure-results"), "*-attachment.png"), Is.Not.Empty);
        }
        finally { DriverRuns.Stop(candidate); }
    }

    [Test]
    public async Task Browser_PortalThatNeverShowsTheSuccessText_IsNotCountedAsAnAction()
    {
        if (!File.Exists(Chromium))
            Assert.Ignore($"{Chromium} is not installed (apt-get install -y chromium; .ci/run installs it), so the portal cannot be driven in a real browser here.");
        var dir = Qualify.TempDir("drive-browser-wrong");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await DriverRuns.StartCandidateAsync(ports);
        try
        {
            var results = Path.Combine(dir, "run");
            // A wrong success text: the harness must not claim the works were done.
            var portal = PortalSection(ports).Replace("success: \"Accepted: install-meter\"", "success: \"Works order 4711 booked\"");
            var run = await Qualify.RunAsync(["run", "--candidate", DriverRuns.Profile(dir, ports, portal), "--results", results,
                "--tags", "@process:meter-works and @segment:S", "--time-scale", "600"], TimeSpan.FromMinutes(3));

            Assert.That(run.ExitCode, Is.Not.EqualTo(0), run.All);
            var install = DriverRuns.CandidateActions(results).Single(a => a["eventCode"]!.GetValue<string>() == "install-meter");
            Assert.That(install["status"], Is.Null, install.ToJsonString());
            Assert.That(install["note"]!.GetValue<string>(), Does.Contain("not accepted through the portal"));
            Assert.That(install["body"]!["screenshots"]!.AsArray().Select(s => s!.GetValue<string>()), Has.Some.EndsWith("-failed.png"));
            var summary = Qualify.Summary(results);
            Assert.That(summary["scenarios"]!["passed"]!.GetValue<int>(), Is.EqualTo(2), run.All);
        }
        finally { DriverRuns.Stop(candidate); }
    }
}
