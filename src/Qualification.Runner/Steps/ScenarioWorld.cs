using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Steps;

/// <summary>
/// What step bindings share: the run's harness (set by the runner before scenarios start) and
/// ways to wait, in market time, for messages to appear in the journal.
/// </summary>
public sealed class ScenarioWorld
{
    /// <summary>Cancelled when the user interrupts the run; waits give up at once.</summary>
    public static CancellationToken Cancellation { get; set; }

    /// <summary>The harness of the run in progress. The runner is the only writer.</summary>
    public static Harness? Current { get; set; }

    /// <summary>The harness; fails clearly when steps run outside a qualification run.</summary>
    public Harness Harness => Current ?? throw new InvalidOperationException("Steps ran outside a qualification run (no harness).");

    /// <summary>Default patience for a "Then" with no SLA of its own, in market time.</summary>
    public static readonly Duration DefaultPatience = Duration.FromMinutes(120);

    /// <summary>
    /// Waits until a journal record of the current scenario satisfies <paramref name="match"/>, or
    /// market time passes <paramref name="until"/>. Returns the record, or null on time-out.
    /// </summary>
    public Task<JournalRecord?> WaitForAsync(Func<JournalRecord, bool> match, Instant until) => WaitForAsync((r, _) => match(r), until);

    /// <summary>As above; <paramref name="match"/> also gets the poll's snapshot of the journal (records in sequence order), so it needs no copy of its own.</summary>
    public async Task<JournalRecord?> WaitForAsync(Func<JournalRecord, IReadOnlyList<JournalRecord>, bool> match, Instant until)
    {
        var scenario = Harness.CurrentScenario;
        // However fast market time runs, give a real system at least a few real seconds.
        var realFloor = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (true)
        {
            var snapshot = Harness.Journal.Records;
            var found = snapshot.FirstOrDefault(r => r.Scenario == scenario && match(r, snapshot));
            if (found is not null) return found;
            if (Harness.Clock.GetCurrentInstant() > until && DateTime.UtcNow > realFloor) return null;
            Cancellation.ThrowIfCancellationRequested();
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the first successful delivery of a publication to <paramref name="recipient"/>.</summary>
    public Task<JournalRecord?> WaitForPublicationAsync(string interfaceId, string? eventCode, string mpan, string recipient, Instant until) =>
        WaitForAsync(r => r.Kind == JournalKind.Push && r.InterfaceId == interfaceId && (eventCode is null || r.EventCode == eventCode) && r.Mpan == mpan && r.To == recipient &&
                          (r.Status is >= 200 and < 300 || r.Url is null && r.Status is null), until);

    /// <summary>Waits for a message the DIP accepted from <paramref name="sender"/>; returns the payload and its receipt time.</summary>
    public Task<(JsonNode Payload, Instant At)?> WaitForSentAsync(string interfaceId, string eventCode, string mpan, string sender, Instant until) =>
        WaitForSentCoreAsync(interfaceId, eventCode, mpan, sender, until);

    /// <summary>
    /// The metering service's answer (IF-034) to its appointment request for <paramref name="mpan"/>, and its
    /// B007 response code (A or R); fails the step when no valid IF-034 arrives by <paramref name="until"/>.
    /// </summary>
    public async Task<(JsonNode Payload, string? ResponseCode)> WaitForAppointmentAnswerAsync(string mpan, Instant until)
    {
        var service = Harness.MeteringService;
        var answer = await WaitForSentAsync("IF-034", "[MSAppSPResponse]", mpan, service.DipId, until)
            ?? throw new ExpectationFailedException($"{service} did not answer the appointment request (IF-033) for {mpan} with a valid IF-034.");
        return (answer.Payload, Text(answer.Payload, "CustomBlock", "B007", "responseCode"));
    }

    /// <summary>As <see cref="WaitForSentAsync"/>, for any event of the interface.</summary>
    public Task<(JsonNode Payload, Instant At)?> WaitForSentAnyEventAsync(string interfaceId, string mpan, string sender, Instant until) =>
        WaitForSentCoreAsync(interfaceId, null, mpan, sender, until);

    private async Task<(JsonNode Payload, Instant At)?> WaitForSentCoreAsync(string interfaceId, string? eventCode, string mpan, string sender, Instant until)
    {
        var facts = default((JsonNode, Instant)?);
        await WaitForAsync((r, snapshot) =>
        {
            if (r.Kind != JournalKind.Response || r.InterfaceId != interfaceId || r.ReplyTo is null) return false;
            // Records are numbered from 1 in the order they are kept, so the request is found by index.
            if (r.ReplyTo.Value > snapshot.Count) return false;
            var request = snapshot[(int)r.ReplyTo.Value - 1];
            foreach (var fact in Observation.Facts([request, r]))
            {
                if (fact.SchemaValid && (eventCode is null || fact.EventCode == eventCode) && fact.Mpan == mpan && fact.SenderDipId == sender)
                {
                    var index = int.Parse(fact.Id[(fact.Id.IndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                    facts = ((request.Body as JsonArray)![index]!["payload"]!, fact.MarketTime);
                    return true;
                }
            }
            return false;
        }, until);
        return facts;
    }

    /// <summary>The metering point SMRS holds; a step naming an undeclared one is broken input.</summary>
    public Stubs.Smrs.MeteringPoint DeclaredPoint(Domain.MpanCore mpan) =>
        Harness.Smrs.FindMeteringPoint(mpan.Value)
        ?? throw new InputException($"Metering point {mpan} is not declared; add a 'Given a smart metering point {mpan} …' step first.");

    /// <summary>Reads the market time of a journal record.</summary>
    public static Instant TimeOf(JournalRecord r) => MarketTime.ParseDip(r.MarketTime)?.ToInstant() ?? Instant.MinValue;

    /// <summary>The payload of a delivered publication.</summary>
    public static JsonNode? PayloadOf(JournalRecord push) => (push.Body as JsonArray)?[0]?["payload"];

    /// <summary>Reads a text value from a payload.</summary>
    public static string? Text(JsonNode? node, params string[] path) => node.Text(path);
}
