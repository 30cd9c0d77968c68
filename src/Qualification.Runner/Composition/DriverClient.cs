using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs.Dip;

namespace Qualification.Runner.Composition;

/// <summary>
/// Asks participants to perform business actions through their driver API (docs/driver-api.md)
/// and keeps their test clocks in step with market time. Every request is journalled. A candidate
/// whose profile says <c>drive: browser</c> is driven through its web portal instead
/// (<see cref="BrowserDriver"/>), and one that says <c>drive: prompt</c> through an operator
/// (<see cref="PromptDriver"/>).
/// </summary>
public sealed class DriverClient(Harness harness) : IDisposable, IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private BrowserDriver? _browser;
    private PromptDriver? _prompt;

    /// <summary>
    /// Asks <paramref name="participant"/> to perform <paramref name="action"/> now (market time).
    /// A participant without a driver skips the scenario, saying why.
    /// </summary>
    public async Task PerformAsync(Participant participant, string action, JsonObject parameters)
    {
        if (harness.Options.Candidate is { } candidate && participant.DipId == candidate.DipId)
        {
            switch (candidate.Drive)
            {
                case DriveMode.Browser:
                    await (_browser ??= new BrowserDriver(harness, candidate.Portal!)).PerformAsync(participant, action, parameters);
                    return;
                case DriveMode.Prompt:
                    await (_prompt ??= new PromptDriver(harness, candidate.Prompt)).PerformAsync(participant, action, parameters);
                    return;
                case DriveMode.Events:
                    throw new ScenarioSkippedException($"{participant} is driven by DIP events only (profile drive: events; give endpoints.driverUrl, or drive: browser or prompt), and this scenario needs the action '{action}'.");
            }
        }
        if (!harness.Drivers.TryGetValue(participant.DipId, out var driver))
            throw new ScenarioSkippedException($"{participant} has no driver API (profile endpoints.driverUrl), and this scenario needs the action '{action}'.");
        var now = harness.Clock.GetCurrentInstant();
        // Stamped with the moment the action was asked for: a participant often reacts (and the DIP
        // journals its message) before its answer to the driver call comes back.
        var requested = DateTimeOffset.UtcNow;
        var body = new JsonObject { ["action"] = action, ["marketTime"] = MarketTime.ToDip(now), ["parameters"] = parameters };
        int? status = null;
        string note;
        try
        {
            using var response = await _http.PostAsJsonAsync(new Uri(driver, "/driver/actions"), body);
            status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            note = response.IsSuccessStatusCode ? "accepted" : "refused: " + text;
            // What the candidate answered (e.g. the Supply Number a bill prints) is evidence too.
            if (response.IsSuccessStatusCode && text.Length > 0)
            {
                try { body["answer"] = JsonNode.Parse(text); }
                catch (System.Text.Json.JsonException) { body["answer"] = text; }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { note = "unreachable: " + e.Message; }
        harness.Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Driver, At = requested, Scenario = harness.CurrentScenario, MarketTime = MarketTime.ToDip(now), Mpan = parameters.Text("mpan"),
            To = participant.DipId, Url = new Uri(driver, "/driver/actions").ToString(), Status = status, EventCode = action, Note = note, Body = body,
        });
        if (status is not (>= 200 and < 300))
            throw new InvalidOperationException($"{participant} did not accept driver action '{action}': {note}");
    }

    /// <summary>Tells every driver where market time now stands (after time travel).</summary>
    public async Task NotifyClockAsync()
    {
        var body = new JsonObject { ["marketTime"] = MarketTime.ToDip(harness.Clock.GetCurrentInstant()) };
        foreach (var (_, driver) in harness.Drivers)
        {
            try { using var _ = await _http.PostAsJsonAsync(new Uri(driver, "/driver/clock"), body); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { harness.Note($"driver clock at {driver} unreachable: {e.Message}"); }
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_browser is not null) await _browser.DisposeAsync();
        if (_prompt is not null) await _prompt.DisposeAsync();
        _browser = null;
        _prompt = null;
    }
}
