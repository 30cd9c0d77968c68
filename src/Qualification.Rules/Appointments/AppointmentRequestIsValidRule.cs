using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>Every IF-031 a candidate supplier sends matches the DIP API description's schema for its event.</summary>
[Requirement("MHHS-DIP-IF031-VALID")]
[Name("Appointment requests are schema-valid")]
public sealed class AppointmentRequestIsValidRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        ObservedMessage request = null!;
        Candidate supplier = null!;
        MessagePasses passes = null!;
        When()
            .Match(() => request, m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031")
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == request.SenderDipId)
            .Match(() => passes);
        Then()
            .Do(ctx => MessageValidity.Judge(ctx, "MHHS-DIP-IF031-VALID", request, passes));
    }
}

/// <summary>Every IF-034 a candidate metering service sends matches its schema.</summary>
[Requirement("MHHS-DIP-IF034-VALID")]
[Name("Appointment responses are schema-valid")]
public sealed class AppointmentResponseIsValidRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        ObservedMessage response = null!;
        Candidate service = null!;
        MessagePasses passes = null!;
        When()
            .Match(() => response, m => m.Direction == Direction.Sent && m.InterfaceId == "IF-034")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.DipId == response.SenderDipId)
            .Match(() => passes);
        Then()
            .Do(ctx => MessageValidity.Judge(ctx, "MHHS-DIP-IF034-VALID", response, passes));
    }
}

internal static class MessageValidity
{
    /// <summary>Judges one message: a failure is always a finding; a pass is one too unless the evaluation records passes compactly.</summary>
    public static void Judge(NRules.RuleModel.IContext ctx, string requirementId, ObservedMessage m, MessagePasses passes)
    {
        if (m.SchemaValid && passes.Compact) passes.Add(requirementId, m);
        else ctx.Insert(Judge(requirementId, m));
    }

    // One summary per interface and event rather than one per valid message: these requirements
    // judge every message, so on a large journal they make half of all findings. Bounded.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string?), string> Accepted = new();

    private static string AcceptedSummary(ObservedMessage m)
    {
        if (Accepted.TryGetValue((m.InterfaceId, m.EventCode), out var summary)) return summary;
        summary = $"{m.InterfaceId} {m.EventCode} accepted by the DIP as schema-valid";
        return Accepted.Count < 1_000 ? Accepted.GetOrAdd((m.InterfaceId, m.EventCode), summary) : summary;
    }

    public static Finding Judge(string requirementId, ObservedMessage m) => m.SchemaValid
        ? new Finding(requirementId, Verdict.Passed, m.Scenario, m.Mpan, AcceptedSummary(m),
            [new EvidenceItem(m.Id, m.Describe(), m.MarketTime)])
        : new Finding(requirementId, Verdict.Failed, m.Scenario, m.Mpan, $"{m.InterfaceId} refused by the DIP: {string.Join("; ", m.Violations)}",
            [new EvidenceItem(m.Id, m.Describe(), m.MarketTime)]);
}
