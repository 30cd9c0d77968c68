using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// REC Schedule 14 step 22.6.1: within 60 minutes of receiving IF-002 saying a registration is
/// pending, the gaining supplier sends the metering-service appointment request (IF-031 [MSApp]).
/// </summary>
[Requirement("REC-MO-22.6.1")]
[Name("Gaining supplier requests the MOA appointment in time")]
public sealed class AppointmentRequestedWithinSlaRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedMessage gain = null!;
        Candidate supplier = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> requests = null!;

        When()
            .Match(() => requirement, r => r.Id == "REC-MO-22.6.1")
            .Match(() => calendar)
            .Match(() => gain, g => g.Direction == Direction.Published && g.InterfaceId == "IF-002" && g.EventCode == "[GainMPANInfo]")
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == gain.RecipientDipId)
            .Match(() => window, w => w.Scenario == gain.Scenario)
            .Query(() => requests, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]" && m.SchemaValid,
                    m => m.Scenario == gain.Scenario && m.Mpan == gain.Mpan && m.SenderDipId == supplier.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(DeadlineJudgement.Judge(requirement, gain, requests, window, calendar.Calendar, "IF-031 [MSApp]")));
    }
}
