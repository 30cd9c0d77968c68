using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// On an IF-045 notice, the supplier requests a metering service appointment (IF-031) within the
/// catalogue's SLA: [NoMSAppointed] (REC deck: IF-045 every 7 days while agents are missing) and
/// [InvalidMarketSegment] (the appointed service is not qualified for the metering point's segment);
/// DIP messages are processed within 60 minutes.
/// </summary>
[Requirement("MHHS-IF045-ACTION")]
[Name("Supplier acts on a missing-appointment reminder")]
public sealed class MissingAppointmentReminderActedOnRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedMessage reminder = null!;
        Candidate supplier = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> requests = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-IF045-ACTION")
            .Match(() => calendar)
            .Match(() => reminder, m => m.Direction == Direction.Published && m.InterfaceId == "IF-045" && (m.EventCode == "[NoMSAppointed]" || m.EventCode == "[InvalidMarketSegment]"))
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == reminder.RecipientDipId)
            .Match(() => window, w => w.Scenario == reminder.Scenario)
            .Query(() => requests, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]" && m.SchemaValid,
                    m => m.Scenario == reminder.Scenario && m.Mpan == reminder.Mpan && m.SenderDipId == supplier.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(DeadlineJudgement.Judge(requirement, reminder, requests, window, calendar.Calendar, "IF-031 [MSApp]")));
    }
}
