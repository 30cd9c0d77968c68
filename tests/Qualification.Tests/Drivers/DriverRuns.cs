using System.Diagnostics;
using System.Text.Json.Nodes;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>
/// What the driver tests share: a reference Smart Metering Service started as its own process
/// (`qualify participant --role MSS`) is the candidate; `qualify run` qualifies it through a profile
/// on the appointment and meter-works scenarios, over real HTTP on 127.0.0.1.
/// </summary>
public static class DriverRuns
{
    /// <summary>
    /// The appointment and meter-works scenarios (3 + 3) every driving mode must pass. Smart (segment S)
    /// only: the Advanced exchange also needs a D0268 to the DTN gateway, which a stand-alone
    /// `qualify participant` is not told the address of.
    /// </summary>
    public const string Tags = "(@process:metering-service-appointment or @process:meter-works) and @segment:S";

    /// <summary>Scenarios <see cref="Tags"/> selects.</summary>
    public const int Scenarios = 6;

    /// <summary>Candidate identity.</summary>
    public const string DipId = "1200000077", Mpid = "CMSS";

    /// <summary>Free loopback ports for one run.</summary>
    public sealed record Ports(int Callback, int Dip, int Css)
    {
        /// <summary>Three free ports.</summary>
        public static Ports Free() => new(Qualify.FreePort(), Qualify.FreePort(), Qualify.FreePort());
        /// <summary>The candidate's base URL.</summary>
        public string CandidateUrl => $"http://127.0.0.1:{Callback}";
    }

    /// <summary>Starts the reference MSS as a separate process and waits until it listens.</summary>
    public static async Task<Process> StartCandidateAsync(Ports ports)
    {
        var process = Qualify.Start(["participant", "--role", "MSS", "--dip-id", DipId, "--mpid", Mpid, "--listen", ports.CandidateUrl,
            "--dip-url", $"http://127.0.0.1:{ports.Dip}", "--css-url", $"http://127.0.0.1:{ports.Css}"]);
        try { await Qualify.WaitForLineAsync(process, "listening", TimeSpan.FromSeconds(30)); }
        catch { Stop(process); throw; }
        return process;
    }

    /// <summary>Writes a profile for the candidate with <paramref name="driving"/> (YAML lines: drive, portal, prompt, image…).</summary>
    public static string Profile(string dir, Ports ports, string driving, bool driverApi = false)
    {
        var driverUrl = driverApi ? $", driverUrl: \"{ports.CandidateUrl}\"" : "";
        var path = Path.Combine(dir, "profile.yaml");
        File.WriteAllText(path, $$"""
            participant: { name: Candidate MSS, role: MSS, dipId: "{{DipId}}", mpid: {{Mpid}}, segments: [S] }
            endpoints: { callbackUrl: "{{ports.CandidateUrl}}/dip/inbound"{{driverUrl}} }
            harness: { dipUrl: "http://127.0.0.1:{{ports.Dip}}", cssUrl: "http://127.0.0.1:{{ports.Css}}" }

            """ + driving);
        return path;
    }

    /// <summary>The qualify run arguments for the profile and the shared tags.</summary>
    public static List<string> RunArgs(string profile, string results) => ["run", "--candidate", profile, "--results", results, "--tags", Tags];

    /// <summary>Checks that every selected scenario passed and the requirements they cover were judged PASSED.</summary>
    public static void AssertQualified(Qualify.Result run, string results)
    {
        Assert.That(run.ExitCode, Is.EqualTo(0), run.All);
        var summary = Qualify.Summary(results);
        Assert.That(summary["scenarios"]!["passed"]!.GetValue<int>(), Is.EqualTo(Scenarios), run.All);
        Assert.That(summary["scenarios"]!["total"]!.GetValue<int>(), Is.EqualTo(Scenarios), run.All);
        var verdicts = Qualify.Verdicts(summary);
        foreach (var id in new[] { "MHHS-MS-IF034-RESPOND", "MHHS-DIP-IF034-VALID", "REC-MO-MTD-IF005-3WD", "MHHS-READ-IF041-CUMULATIVE" })
            Assert.That(verdicts[id], Is.EqualTo("PASSED"), $"{id}\n{run.All}");
    }

    /// <summary>Driver records addressed to the candidate (the meter works), from the run's journal.</summary>
    public static List<JsonObject> CandidateActions(string results) =>
        File.ReadLines(Path.Combine(results, "journal.jsonl")).Select(l => (JsonObject)JsonNode.Parse(l)!)
            .Where(r => r["kind"]?.GetValue<string>() == "driver" && r["to"]?.GetValue<string>() == DipId).ToList();

    /// <summary>Kills a process started by a test (and only it).</summary>
    public static void Stop(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }
}
