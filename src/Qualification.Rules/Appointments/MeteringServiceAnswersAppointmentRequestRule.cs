using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>A metering service answers each appointment request (IF-033) with IF-034, within the catalogue's SLA.</summary>
[Requirement("MHHS-MS-IF034-RESPOND")]
[Name("Metering service answers appointment requests")]
public sealed class MeteringServiceAnswersAppointmentRequestRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedMessage request = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> responses = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-MS-IF034-RESPOND")
            .Match(() => calendar)
            .Match(() => request, m => m.Direction == Direction.Published && m.InterfaceId == "IF-033" && m.EventCode == "[MSAppSPRequest]")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.DipId == request.RecipientDipId)
            .Match(() => window, w => w.Scenario == request.Scenario)
            .Query(() => responses, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-034" && m.EventCode == "[MSAppSPResponse]" && m.SchemaValid,
                    m => m.Scenario == request.Scenario && m.Mpan == request.Mpan && m.SenderDipId == service.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(DeadlineJudgement.Judge(requirement, request, responses, window, calendar.Calendar, "IF-034 [MSAppSPResponse]")));
    }
}
