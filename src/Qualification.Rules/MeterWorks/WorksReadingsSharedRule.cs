using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.MeterWorks;

/// <summary>
/// After meter works the metering service shares cumulative register readings by IF-041: the
/// removed meter's final reading ([ReadingRemv]) after an exchange or removal, and the new meter's
/// first reading ([ReadingInstl]) after an install or exchange, within the catalogue's SLA.
/// </summary>
[Requirement("MHHS-READ-IF041-CUMULATIVE")]
[Name("Install and removal readings are shared by IF-041")]
public sealed class WorksReadingsSharedRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedAction works = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> readings = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-READ-IF041-CUMULATIVE")
            .Match(() => calendar)
            .Match(() => works, a => a.IsMeterWorks)
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.DipId == works.ParticipantDipId)
            .Match(() => window, w => w.Scenario == works.Scenario)
            .Query(() => readings, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-041" && m.SchemaValid,
                    m => m.Scenario == works.Scenario && m.Mpan == works.Mpan && m.SenderDipId == service.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.InsertAll(Judge(requirement, works, readings, window, calendar)));
    }

    private static IEnumerable<Finding> Judge(Requirement requirement, ObservedAction works, IEnumerable<ObservedMessage> readings, ObservationWindow window, CalendarFact calendar)
    {
        var expected = works.Action switch
        {
            "install-meter" => new[] { "[ReadingInstl]" },
            "remove-meter" => ["[ReadingRemv]"],
            _ => ["[ReadingRemv]", "[ReadingInstl]"],
        };
        var trigger = new ObservedMessage
        {
            Id = works.Id, Scenario = works.Scenario, Direction = Direction.Published, InterfaceId = "meter works", EventCode = works.Action, Mpan = works.Mpan,
            RecipientDipId = works.ParticipantDipId, MarketTime = works.MarketTime,
        };
        return expected.Select(evt => Appointments.DeadlineJudgement.Judge(requirement, trigger, readings.Where(r => r.EventCode == evt), window, calendar.Calendar, $"IF-041 {evt}"));
    }
}
