using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs.Dip;

namespace Qualification.Runner.Composition;

/// <summary>
/// Drives a candidate through a person (profile <c>drive: prompt</c>), for rehearsals: prints the
/// action, its parameters and the market time on the terminal, then waits (up to the profile's
/// timeout) for the operator to confirm, either typed on stdin (<c>done</c>, <c>done p3</c>,
/// <c>skip p3 reason</c>) or posted to a loopback endpoint a script can call:
/// <c>GET /prompt</c> lists what is pending, <c>POST /prompt/{id}/done</c> confirms,
/// <c>POST /prompt/{id}/skip</c> declines (the scenario is skipped with the reason).
/// </summary>
public sealed class PromptDriver(Harness harness, PromptProfile profile) : IAsyncDisposable
{
    private sealed record Pending(string Id, string Action, string Participant, string MarketTime, JsonObject Parameters, TaskCompletionSource<(bool Done, string Via)> Answer);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private int _next;
    private bool _readingStdin;

    /// <summary>The confirmation endpoint's base URL, once started.</summary>
    public string? Url { get; private set; }

    /// <summary>Asks the operator to perform <paramref name="action"/> now (market time) and waits for the answer.</summary>
    public async Task PerformAsync(Participant participant, string action, JsonObject parameters)
    {
        await StartAsync();
        var marketTime = MarketTime.ToDip(harness.Clock.GetCurrentInstant());
        var id = "p" + Interlocked.Increment(ref _next);
        var pending = new Pending(id, action, participant.ToString() ?? participant.DipId, marketTime, (JsonObject)parameters.DeepClone(),
            new TaskCompletionSource<(bool, string)>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[id] = pending;
        var output = Console.Out;
        lock (output)
        {
            output.WriteLine();
            output.WriteLine($"qualify: PROMPT {id}: please perform '{action}' in {pending.Participant} now");
            output.WriteLine($"    marketTime        {marketTime}");
            foreach (var (k, v) in parameters) if (v is not null) output.WriteLine($"    {k,-17} {v}");
            output.WriteLine($"    confirm: type 'done {id}' (or 'skip {id} <reason>') and Enter, or POST {Url}/prompt/{id}/done; waiting up to {profile.Timeout.TotalSeconds:0} s");
            output.Flush();
        }
        harness.Note($"prompt {id}: operator asked to perform {action} for {parameters.Text("mpan")} ({Url}/prompt/{id})");
        var clock = Stopwatch.StartNew();
        var finished = await Task.WhenAny(pending.Answer.Task, Task.Delay(profile.Timeout, Steps.ScenarioWorld.Cancellation));
        _pending.TryRemove(id, out _);
        (bool Done, string Via)? answer = finished == pending.Answer.Task ? await pending.Answer.Task : null;
        var note = answer switch
        {
            { Done: true } a => $"performed by the operator; confirmed through {a.Via} after {clock.Elapsed.TotalSeconds:0.0} s (prompt {id})",
            { } a => $"declined by the operator through {a.Via}: prompt {id}",
            null => $"the operator did not confirm within {profile.Timeout.TotalSeconds:0} s (prompt {id})",
        };
        harness.Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Driver, Scenario = harness.CurrentScenario, MarketTime = marketTime, Mpan = parameters.Text("mpan"),
            To = participant.DipId, Url = $"{Url}/prompt/{id}", Status = answer is { Done: true } ? 202 : null, EventCode = action, Note = note,
            Body = new JsonObject { ["action"] = action, ["marketTime"] = marketTime, ["parameters"] = parameters.DeepClone(), ["channel"] = "prompt", ["prompt"] = id },
        });
        Console.Out.WriteLine($"qualify: prompt {id}: {note}");
        if (answer is not { Done: true })
            throw new ScenarioSkippedException($"{participant} was to perform '{action}' through an operator, but {note}.");
    }

    private bool Answer(string id, bool done, string via) => _pending.TryGetValue(id, out var p) && p.Answer.TrySetResult((done, via));

    private async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_app is not null) return;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            // Loopback only: whoever can reach this endpoint can confirm actions.
            builder.WebHost.UseUrls($"http://127.0.0.1:{profile.Port}");
            var app = builder.Build();
            app.MapGet("/prompt", () => Results.Json(_pending.Values.OrderBy(p => p.Id.Length).ThenBy(p => p.Id, StringComparer.Ordinal)
                .Select(p => new { id = p.Id, action = p.Action, participant = p.Participant, marketTime = p.MarketTime, parameters = p.Parameters })));
            app.MapPost("/prompt/{id}/done", (string id) => Answer(id, true, "POST /prompt/" + id + "/done") ? Results.NoContent() : Results.Json(new { error = $"no pending prompt {id}" }, statusCode: 404));
            app.MapPost("/prompt/{id}/skip", (string id) => Answer(id, false, "POST /prompt/" + id + "/skip") ? Results.NoContent() : Results.Json(new { error = $"no pending prompt {id}" }, statusCode: 404));
            try { await app.StartAsync(); }
            catch (IOException e)
            {
                await app.DisposeAsync();
                throw new InputException($"drive: prompt: the confirmation endpoint could not listen on 127.0.0.1:{profile.Port}: {e.Message}. Change prompt.port in the profile (0 picks a free port).");
            }
            Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("localhost", "127.0.0.1");
            _app = app;
            harness.Note($"prompt driver: operator confirmations at {Url}/prompt/{{id}}/done or on stdin");
            if (!_readingStdin)
            {
                _readingStdin = true;
                _ = Task.Run(ReadStdinAsync);
            }
        }
        finally { _gate.Release(); }
    }

    // "done" confirms the oldest pending prompt; "done p3" / "skip p3 reason" name one.
    private async Task ReadStdinAsync()
    {
        try
        {
            while (await Console.In.ReadLineAsync() is { } line)
            {
                var words = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0 || words[0] is not ("done" or "skip")) continue;
                var id = words.Length > 1 ? words[1] : _pending.Keys.OrderBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).FirstOrDefault();
                if (id is null || !Answer(id, words[0] == "done", "stdin")) Console.Out.WriteLine($"qualify: no pending prompt {id}");
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _pending.Values) p.Answer.TrySetResult((false, "harness shutdown"));
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _gate.Dispose();
    }
}
