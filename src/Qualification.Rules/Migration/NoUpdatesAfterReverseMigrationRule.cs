using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Migration;

/// <summary>
/// Reverse migration (possible only before M14, never for complex metered sites) de-appoints the MHHS
/// metering service by IF-003 [MSDeAppRM]: the metering point returns to legacy arrangements, so the
/// service sends SMRS no further meter technical details, energisation changes or readings for that
/// MPAN from the de-appointment date. Judged over the catalogue's period after the de-appointment;
/// observation that ends sooner is NOT_OBSERVED.
/// </summary>
[Requirement("MHHS-MIG-REVERSE-M14")]
[Name("A metering service de-appointed by reverse migration sends no further updates")]
public sealed class NoUpdatesAfterReverseMigrationRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        CalendarFact calendar = null!;
        ObservedMessage deAppointment = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        IEnumerable<ObservedMessage> updates = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-MIG-REVERSE-M14")
            .Match(() => calendar)
            .Match(() => deAppointment, m => m.Direction == Direction.Published && m.InterfaceId == "IF-003" && m.EventCode == "[MSDeAppRM]")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.DipId == deAppointment.RecipientDipId)
            .Match(() => window, w => w.Scenario == deAppointment.Scenario)
            .Query(() => updates, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && (m.InterfaceId == "IF-005" || m.InterfaceId == "IF-007" || m.InterfaceId == "IF-041"),
                    m => m.Scenario == deAppointment.Scenario && m.Mpan == deAppointment.Mpan && m.SenderDipId == service.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(Judge(requirement, deAppointment, updates, window, calendar)));
    }

    private static Finding Judge(Requirement requirement, ObservedMessage deAppointment, IEnumerable<ObservedMessage> updates, ObservationWindow window, CalendarFact calendar)
    {
        var period = requirement.Sla ?? throw new InvalidOperationException($"Requirement {requirement.Id} needs an 'sla' in the catalogue: the period after the de-appointment that is watched.");
        var endedAt = MarketTime.ParseDip(deAppointment.CustomBlock.Text("B008", "meteringServiceEffectiveToDate"))?.ToInstant() ?? deAppointment.MarketTime;
        var trigger = new EvidenceItem(deAppointment.Id, $"de-appointment: {deAppointment.Describe()}, effective to {MarketTime.ToDip(endedAt)}", deAppointment.MarketTime);
        var after = updates.Where(u => u.MarketTime >= endedAt).OrderBy(u => u.MarketTime).FirstOrDefault();
        if (after is not null)
            return new Finding(requirement.Id, Verdict.Failed, deAppointment.Scenario, deAppointment.Mpan,
                $"the metering service sent {after.InterfaceId} {after.EventCode} for {deAppointment.Mpan} at {MarketTime.ToDip(after.MarketTime)}, after reverse migration de-appointed it from {MarketTime.ToDip(endedAt)}",
                [trigger, new EvidenceItem(after.Id, "update: " + after.Describe(), after.MarketTime)]);
        var watchedUntil = period.DeadlineFrom(endedAt, calendar.Calendar);
        return window.End >= watchedUntil
            ? new Finding(requirement.Id, Verdict.Passed, deAppointment.Scenario, deAppointment.Mpan,
                $"no update from the metering service for {deAppointment.Mpan} in {period.Describe()} after its de-appointment by reverse migration", [trigger])
            : new Finding(requirement.Id, Verdict.NotObserved, deAppointment.Scenario, deAppointment.Mpan,
                $"observation ended at {MarketTime.ToDip(window.End)}, before {period.Describe()} after the de-appointment ({MarketTime.ToDip(watchedUntil)})", [trigger]);
    }
}
