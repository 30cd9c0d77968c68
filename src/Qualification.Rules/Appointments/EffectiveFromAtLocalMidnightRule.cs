using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// A service appointment's effective-from date is a Europe/London local midnight written with its
/// offset (CR036 clock midnight; SMRS rejects otherwise with REG1032). In summer that is
/// T00:00:00+01:00, not T00:00:00+00:00.
/// </summary>
[Requirement("MHHS-APP-EFD-MIDNIGHT")]
[Name("Appointment effective-from is local midnight")]
public sealed class EffectiveFromAtLocalMidnightRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        ObservedMessage request = null!;
        Candidate supplier = null!;
        When()
            .Match(() => request, m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]" && m.SchemaValid)
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == request.SenderDipId);
        Then()
            .Do(ctx => ctx.Insert(Judge(request)));
    }

    private static Finding Judge(ObservedMessage m)
    {
        var text = m.CustomBlock.Text("B070", "proposedMeteringServiceDIPEffectiveFromDate");
        var parsed = MarketTime.ParseDip(text);
        var evidence = new[] { new EvidenceItem(m.Id, m.Describe() + $"; effective-from {text}", m.MarketTime) };
        if (parsed is { } value && MarketTime.IsLocalMidnight(value))
            return new Finding("MHHS-APP-EFD-MIDNIGHT", Verdict.Passed, m.Scenario, m.Mpan, $"effective-from {text} is local midnight", evidence);
        var local = parsed is { } v ? v.ToInstant().InZone(MarketTime.London).ToString("uuuu-MM-dd HH:mm", null) + " London time" : "unreadable";
        var expected = parsed is { } w ? MarketTime.ToDip(MarketTime.StartOfDay(w.Date)) : "yyyy-MM-ddT00:00:00+hh:mm";
        return new Finding("MHHS-APP-EFD-MIDNIGHT", Verdict.Failed, m.Scenario, m.Mpan,
            $"effective-from {text} is {local}, not local midnight; expected {expected}", evidence);
    }
}
