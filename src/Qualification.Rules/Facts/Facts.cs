using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;

namespace Qualification.Rules.Facts;

/// <summary>Which way a message went, seen from the central services.</summary>
public enum Direction
{
    /// <summary>A participant sent it to the DIP.</summary>
    Sent,
    /// <summary>The DIP published it to a participant.</summary>
    Published,
}

/// <summary>A DIP message the harness observed, as a fact for the rules.</summary>
public sealed record ObservedMessage
{
    /// <summary>Stable id within the run (journal sequence and item index).</summary>
    public required string Id { get; init; }
    /// <summary>Scenario in which it was observed.</summary>
    public required string Scenario { get; init; }
    /// <summary>Sent or published.</summary>
    public required Direction Direction { get; init; }
    /// <summary>IF-031 …</summary>
    public required string InterfaceId { get; init; }
    /// <summary>[MSApp] …</summary>
    public string? EventCode { get; init; }
    /// <summary>MPAN core from M0 ("" when unreadable).</summary>
    public string Mpan { get; init; } = "";
    /// <summary>Sender DIP id.</summary>
    public string? SenderDipId { get; init; }
    /// <summary>Sender role.</summary>
    public string? SenderRole { get; init; }
    /// <summary>Recipient DIP id (publications).</summary>
    public string? RecipientDipId { get; init; }
    /// <summary>Market time the DIP received or published it.</summary>
    public required Instant MarketTime { get; init; }
    /// <summary>Whether the DIP accepted it as schema-valid.</summary>
    public bool SchemaValid { get; init; } = true;
    /// <summary>What the DIP found wrong with it.</summary>
    public IReadOnlyList<string> Violations { get; init; } = [];
    /// <summary>The custom block, for content rules.</summary>
    public JsonObject? CustomBlock { get; init; }
    /// <summary>R0 response code, when the message has one.</summary>
    public string? ResponseCode { get; init; }
    /// <summary>R0 response messages (e.g. SMRS rejection codes "REG9009 - …"), when the message has them.</summary>
    public IReadOnlyList<string> ResponseMessages { get; init; } = [];
    /// <summary>DIP transaction id, when the DIP gave one.</summary>
    public string? TransactionId { get; init; }

    /// <summary>One line for evidence: "IF-031 [MSApp] from 2300000012 at 2026-01-05T09:03:00+00:00".</summary>
    public string Describe() =>
        $"{InterfaceId} {EventCode} {(Direction == Direction.Sent ? "from " + SenderDipId : "to " + RecipientDipId)} at {Domain.Market.MarketTime.ToDip(MarketTime)}";
}

/// <summary>A participant under qualification, and the role it is judged in.</summary>
public sealed record Candidate(string DipId, string Role, string Name)
{
    /// <summary>Its MPID, which identifies it in DTN flow headers.</summary>
    public string? Mpid { get; init; }
}

/// <summary>A DTN flow file a participant sent to the harness's gateway, with what the validator found.</summary>
/// <param name="Id">Journal id.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="Flow">Flow and version, e.g. D0268002.</param>
/// <param name="SenderMpid">MPID in the ZHV "from" field.</param>
/// <param name="Valid">No error findings.</param>
/// <param name="Findings">The validator's findings, "RULE line: message".</param>
/// <param name="MarketTime">When the gateway received it.</param>
public sealed record ObservedFlow(string Id, string Scenario, string Flow, string SenderMpid, bool Valid, IReadOnlyList<string> Findings, Instant MarketTime)
{
    /// <summary>MPID in the ZHV "to" field ("" when unreadable).</summary>
    public string RecipientMpid { get; init; } = "";
    /// <summary>True for a flow a harness-played party sent (the gateway's outbound side), false for a participant's.</summary>
    public bool FromHarness { get; init; }
    /// <summary>MPAN cores the flow carries (J0003), in file order.</summary>
    public IReadOnlyList<string> Mpans { get; init; } = [];
    /// <summary>Register readings with a value (D0010 group 030, J0040) per MPAN core.</summary>
    public IReadOnlyDictionary<string, int> RegisterReadings { get; init; } = new Dictionary<string, int>();

    /// <summary>The flow id without its version, e.g. D0268.</summary>
    public string FlowId => Flow.Length >= 5 ? Flow[..5] : Flow;

    /// <summary>One line for evidence: "D0268002 from REFM to GAIN at …".</summary>
    public string Describe() => $"DTN {Flow} from {SenderMpid} to {RecipientMpid} at {Domain.Market.MarketTime.ToDip(MarketTime)}";
}

/// <summary>
/// Time as a fact: how far market time ran while a scenario was observed. Rules decide "not
/// observed" versus "failed" against this, never against a clock.
/// </summary>
public sealed record ObservationWindow(string Scenario, Instant Start, Instant End);

/// <summary>The working-day calendar the rules count SLA days with.</summary>
public sealed record CalendarFact(WorkingDayCalendar Calendar);

/// <summary>A business action the harness asked a participant to perform (meter works, energisation change…).</summary>
/// <param name="Id">Journal id.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="Action">Driver action name, e.g. exchange-meter.</param>
/// <param name="Mpan">Metering point.</param>
/// <param name="ParticipantDipId">Who was asked.</param>
/// <param name="MarketTime">When the action happened (market time).</param>
public sealed record ObservedAction(string Id, string Scenario, string Action, string Mpan, string ParticipantDipId, Instant MarketTime)
{
    /// <summary>Market segment of the metering point (S, A, U) as the harness told the participant, when it did.</summary>
    public string? Segment { get; init; }
    /// <summary>MPID of the supplier registered to the metering point, when the harness told the participant.</summary>
    public string? SupplierMpid { get; init; }

    /// <summary>True for install, exchange and removal of a meter.</summary>
    public bool IsMeterWorks => Action is "install-meter" or "exchange-meter" or "remove-meter";

    /// <summary>One line for evidence.</summary>
    public string Describe() => $"driver action {Action} by {ParticipantDipId} at {Domain.Market.MarketTime.ToDip(MarketTime)}";
}
