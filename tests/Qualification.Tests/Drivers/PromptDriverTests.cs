using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>
/// drive: prompt. The harness asks an operator to perform each action and waits for confirmation on
/// its loopback endpoint. Here the "operator" is a script: it reads the pending prompt, performs the
/// action in the candidate's own system (its driver API, with the market time the prompt gave), and
/// posts the confirmation.
/// </summary>
public class PromptDriverTests
{
    private static string PromptSection(int port, int timeoutSeconds) => $"""
        drive: prompt
        prompt: {"{"} port: {port}, timeoutSeconds: {timeoutSeconds} {"}"}

        """;

    // The scripted operator: every pending prompt is performed in the candidate, then confirmed.
    private static async Task<List<string>> OperateAsync(int promptPort, DriverRuns.Ports ports, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var confirmed = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            JsonArray? pending = null;
            try { pending = await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{promptPort}/prompt", stop); }
            catch (HttpRequestException) { }
            catch (OperationCanceledException) { break; }
            foreach (var p in pending ?? [])
            {
                var id = p!["id"]!.GetValue<string>();
                using var performed = await http.PostAsJsonAsync($"{ports.CandidateUrl}/driver/actions", new JsonObject
                {
                    ["action"] = p["action"]!.GetValue<string>(), ["marketTime"] = p["marketTime"]!.GetValue<string>(), ["parameters"] = p["parameters"]!.DeepClone(),
                }, CancellationToken.None);
                Assert.That((int)performed.StatusCode, Is.EqualTo(202), await performed.Content.ReadAsStringAsync(CancellationToken.None));
                using var done = await http.PostAsync($"http://127.0.0.1:{promptPort}/prompt/{id}/done", null, CancellationToken.None);
                Assert.That((int)done.StatusCode, Is.EqualTo(204));
                confirmed.Add(p["action"]!.GetValue<string>());
            }
            try { await Task.Delay(100, stop); } catch (OperationCanceledException) { break; }
        }
        return confirmed;
    }

    [Test]
    public async Task Prompt_ScriptedOperatorConfirmsEachAction_AppointmentAndMeterWorksScenariosPass()
    {
        var dir = Qualify.TempDir("drive-prompt");
        var ports = DriverRuns.Ports.Free();
        var promptPort = Qualify.FreePort();
        using var candidate = await DriverRuns.StartCandidateAsync(ports);
        using var stop = new CancellationTokenSource();
        var operatorTask = OperateAsync(promptPort, ports, stop.Token);
        try
        {
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(DriverRuns.RunArgs(DriverRuns.Profile(dir, ports, PromptSection(promptPort, 60)), results));
            await stop.CancelAsync();
            var confirmed = await operatorTask;

            DriverRuns.AssertQualified(run, results);
            Assert.That(confirmed, Is.EquivalentTo(new[] { "install-meter", "exchange-meter", "remove-meter" }), run.All);
            // The terminal shows the action, its parameters and how to confirm.
            Assert.That(run.Output, Does.Contain("PROMPT p1: please perform 'install-meter'"));
            Assert.That(run.Output, Does.Contain($"POST http://127.0.0.1:{promptPort}/prompt/p1/done"));
            Assert.That(run.Output, Does.Contain("mpan").And.Contain("2300000000019"));
            var actions = DriverRuns.CandidateActions(results);
            Assert.That(actions, Has.Count.EqualTo(3));
            foreach (var a in actions)
            {
                Assert.That(a["body"]!["channel"]!.GetValue<string>(), Is.EqualTo("prompt"));
                Assert.That(a["status"]!.GetValue<int>(), Is.EqualTo(202));
                Assert.That(a["note"]!.GetValue<string>(), Does.Contain("confirmed through POST"));
            }
        }
        finally
        {
            await stop.CancelAsync();
            DriverRuns.Stop(candidate);
        }
    }

    [Test]
    public async Task Prompt_NobodyConfirms_ScenariosAreSkippedWithTheReason_NeverPassed()
    {
        var dir = Qualify.TempDir("drive-prompt-timeout");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await DriverRuns.StartCandidateAsync(ports);
        try
        {
            var results = Path.Combine(dir, "run");
            var run = await Qualify.RunAsync(["run", "--candidate", DriverRuns.Profile(dir, ports, PromptSection(Qualify.FreePort(), 2)), "--results", results,
                "--tags", "@process:meter-works and @segment:S"]);

            var summary = Qualify.Summary(results);
            Assert.That(summary["scenarios"]!["skipped"]!.GetValue<int>(), Is.EqualTo(3), run.All);
            Assert.That(summary["scenarios"]!["passed"]!.GetValue<int>(), Is.EqualTo(0), run.All);
            Assert.That(run.Output, Does.Contain("did not confirm within 2 s"));
            Assert.That(Qualify.Verdicts(summary)["REC-MO-MTD-IF005-3WD"], Is.Not.EqualTo("PASSED"));
            Assert.That(DriverRuns.CandidateActions(results).Select(a => a["status"]), Has.All.Null);
        }
        finally { DriverRuns.Stop(candidate); }
    }
}
