using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Energisation;

/// <summary>
/// A change of energisation status is reported to SMRS by its own IF-007
/// [EnergisationStatusChange] (REC deck: "IF-007 always sent separately"), within the catalogue's SLA.
/// </summary>
[Requirement("MHHS-COES-IF007")]
[Name("Energisation changes are reported by IF-007")]
public sealed class EnergisationChangeReportedByIf007Rule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedAction change = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> reports = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-COES-IF007")
            .Match(() => calendar)
            .Match(() => change, a => a.Action == "change-energisation")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.DipId == change.ParticipantDipId)
            .Match(() => window, w => w.Scenario == change.Scenario)
            .Query(() => reports, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-007" && m.EventCode == "[EnergisationStatusChange]" && m.SchemaValid,
                    m => m.Scenario == change.Scenario && m.Mpan == change.Mpan && m.SenderDipId == service.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(Appointments.DeadlineJudgement.Judge(requirement, Trigger(change), reports, window, calendar.Calendar, "IF-007 [EnergisationStatusChange]")));
    }

    // The action is the trigger; judged like any message-to-response deadline.
    private static ObservedMessage Trigger(ObservedAction a) => new()
    {
        Id = a.Id, Scenario = a.Scenario, Direction = Direction.Published, InterfaceId = "energisation change", EventCode = a.Action, Mpan = a.Mpan,
        RecipientDipId = a.ParticipantDipId, MarketTime = a.MarketTime,
    };
}
