using System.Diagnostics;
using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>Candidates outside the harness, configured only through a profile, over real HTTP on loopback.</summary>
public class CandidateRunTests
{
    private static string Profile(string dir, string name, string dipId, string mpid, int callbackPort, int dipPort, int cssPort)
    {
        var path = Path.Combine(dir, "profile.yaml");
        File.WriteAllText(path, $$"""
            participant: { name: {{name}}, role: SUP, dipId: "{{dipId}}", mpid: {{mpid}}, segments: [S] }
            endpoints: { callbackUrl: "http://127.0.0.1:{{callbackPort}}/dip/inbound" }
            harness: { dipUrl: "http://127.0.0.1:{{dipPort}}", cssUrl: "http://127.0.0.1:{{cssPort}}" }
            """);
        return path;
    }

    [Test]
    public async Task FaultySupplierProcess_FailsLateRequestAndNonMidnightEffectiveFrom_AndNothingElse()
    {
        var dir = Qualify.TempDir("faulty-supplier");
        int callback = Qualify.FreePort(), dip = Qualify.FreePort(), css = Qualify.FreePort();
        using var supplier = Qualify.Start(["participant", "--role", "SUP", "--dip-id", "2300000055", "--mpid", "FAUL",
            "--listen", $"http://127.0.0.1:{callback}", "--dip-url", $"http://127.0.0.1:{dip}", "--css-url", $"http://127.0.0.1:{css}",
            "--fault", "late-appointment=4.5s", "--fault", "efd-utc-midnight"]);
        try
        {
            await Qualify.WaitForLineAsync(supplier, "listening", TimeSpan.FromSeconds(30));
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(["run", "--candidate", Profile(dir, "Faulty Supply", "2300000055", "FAUL", callback, dip, css),
                "--results", results, "--time-scale", "1200"]);

            Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
            var verdicts = Qualify.Verdicts(Qualify.Summary(results));
            Assert.That(verdicts.Where(v => v.Value == "FAILED").Select(v => v.Key), Is.EquivalentTo(new[] { "REC-MO-22.6.1", "MHHS-APP-EFD-MIDNIGHT" }), run.All);
            // Metering-service requirements do not bind a supplier candidate.
            Assert.That(verdicts["MHHS-MS-IF034-RESPOND"], Is.EqualTo("SKIPPED"));
            Assert.That(verdicts["MHHS-DIP-IF031-VALID"], Is.EqualTo("PASSED"));
        }
        finally { supplier.Kill(entireProcessTree: true); }
    }

    [Test]
    public async Task OutsideSupplierInPython_IsQualifiedThroughItsProfileOnly()
    {
        var dir = Qualify.TempDir("outside");
        int callback = Qualify.FreePort(), dip = Qualify.FreePort(), css = Qualify.FreePort();
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(Qualify.RepoRoot, "examples", "outside-supplier", "supplier.py"), "--listen", $"127.0.0.1:{callback}",
                     "--dip", $"http://127.0.0.1:{dip}", "--css", $"http://127.0.0.1:{css}", "--dip-id", "2300000077", "--mpid", "OUTS" })
            info.ArgumentList.Add(a);
        using var supplier = Process.Start(info)!;
        try
        {
            await Qualify.WaitForLineAsync(supplier, "listening", TimeSpan.FromSeconds(30));
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(["run", "--candidate", Profile(dir, "Outside Supply", "2300000077", "OUTS", callback, dip, css), "--results", results]);

            Assert.That(run.ExitCode, Is.EqualTo(0), run.All);
            var verdicts = Qualify.Verdicts(Qualify.Summary(results));
            Assert.That(verdicts["REC-MO-22.6.1"], Is.EqualTo("PASSED"));
            Assert.That(verdicts["MHHS-APP-EFD-MIDNIGHT"], Is.EqualTo("PASSED"));
            Assert.That(Qualify.Summary(results)["candidate"]!.GetValue<string>(), Is.EqualTo("Outside Supply"));
        }
        finally { supplier.Kill(entireProcessTree: true); }
    }
}
