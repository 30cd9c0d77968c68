using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.MeterWorks;

/// <summary>
/// After meter works at an Advanced metering point, the metering service shares the meter register
/// readings by D0010 (REC deck "Meter readings": register readings for Advanced and Traditional meters
/// via the D0010): a D0010 that passed validation, carries the MPAN with at least one register
/// reading (030), and is addressed to the registered supplier, within the catalogue's SLA.
/// </summary>
[Requirement("REC-READ-D0010-REGISTER")]
[Name("Register readings after Advanced meter works are shared by D0010")]
public sealed class RegisterReadingsByD0010Rule : Rule
{
    private const string Id = "REC-READ-D0010-REGISTER";

    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        CalendarFact calendar = null!;
        ObservedAction works = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        IEnumerable<ObservedFlow> flows = null!;

        When()
            .Match(() => requirement, r => r.Id == Id)
            .Match(() => calendar)
            .Match(() => works, a => a.IsMeterWorks && a.Segment == "A")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.Mpid != null, c => c.DipId == works.ParticipantDipId)
            .Match(() => window, w => w.Scenario == works.Scenario)
            .Query(() => flows, q => q
                .Match<ObservedFlow>(f => !f.FromHarness, f => f.Scenario == works.Scenario && f.SenderMpid == service.Mpid)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(Judge(requirement, works, flows, window, calendar)));
    }

    private static Finding Judge(Requirement requirement, ObservedAction works, IEnumerable<ObservedFlow> flows, ObservationWindow window, CalendarFact calendar)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{Id} needs an 'sla' in the catalogue.");
        var deadline = sla.DeadlineFrom(works.MarketTime, calendar.Calendar);
        var d0010s = flows.Where(f => f.FlowId == "D0010" && f.Mpans.Contains(works.Mpan) && f.MarketTime >= works.MarketTime).OrderBy(f => f.MarketTime).ToList();
        var first = d0010s.FirstOrDefault(f => f.Valid && f.RegisterReadings.GetValueOrDefault(works.Mpan) > 0 && (works.SupplierMpid is null || f.RecipientMpid == works.SupplierMpid));
        var evidence = new List<EvidenceItem> { new(works.Id, "trigger: " + works.Describe(), works.MarketTime) };
        if (first is not null)
        {
            evidence.Add(new EvidenceItem(first.Id, "response: " + first.Describe(), first.MarketTime));
            var readings = first.RegisterReadings[works.Mpan];
            return first.MarketTime <= deadline
                ? new Finding(Id, Verdict.Passed, works.Scenario, works.Mpan, $"D0010 with {readings} register reading(s) for {works.Mpan} sent to {first.RecipientMpid} after the {works.Action} (limit {sla.Describe()})", evidence)
                : new Finding(Id, Verdict.Failed, works.Scenario, works.Mpan,
                    $"D0010 with the register readings for {works.Mpan} sent {MarketTime.ToDip(first.MarketTime)}, after the deadline {MarketTime.ToDip(deadline)} ({sla.Describe()} from the {works.Action})", evidence);
        }
        // Say what was wrong with the D0010s that did not count.
        var problems = d0010s.Select(f => !f.Valid ? $"{f.Describe()} failed validation"
            : f.RegisterReadings.GetValueOrDefault(works.Mpan) == 0 ? $"{f.Describe()} has no register reading (030) for {works.Mpan}"
            : $"{f.Describe()} is addressed to {f.RecipientMpid}, not the supplier {works.SupplierMpid}").Take(3).ToList();
        evidence.AddRange(d0010s.Select(f => new EvidenceItem(f.Id, f.Describe(), f.MarketTime)));
        var others = problems.Count == 0 ? "" : "; " + string.Join("; ", problems);
        return window.End >= deadline
            ? new Finding(Id, Verdict.Failed, works.Scenario, works.Mpan,
                $"no D0010 with register readings for {works.Mpan} after the {works.Action} by {MarketTime.ToDip(deadline)} ({sla.Describe()}){others}", evidence)
            : new Finding(Id, Verdict.NotObserved, works.Scenario, works.Mpan,
                $"no D0010 with register readings for {works.Mpan} yet; observation ended at {MarketTime.ToDip(window.End)}, before the deadline {MarketTime.ToDip(deadline)}{others}", evidence);
    }
}
