using System.Linq.Expressions;
using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.MeterWorks;

/// <summary>
/// The shape shared by obligations that follow a participant's business action (meter works, an
/// energisation change, a relationship request): after the action, the participant sends certain
/// messages within the catalogue's SLA. Subclasses say which actions, which messages, who is bound
/// and how to judge them.
/// </summary>
public abstract class ActionResponseRule : Rule
{
    /// <summary>The catalogue requirement judged (also on the class's [Requirement]).</summary>
    protected string RequirementId => RequirementAttribute.Of(GetType());

    /// <summary>Which driver actions trigger the obligation.</summary>
    protected abstract Expression<Func<ObservedAction, bool>> Trigger { get; }

    /// <summary>Which candidates the obligation binds (by default metering services).</summary>
    protected virtual Expression<Func<Candidate, bool>> Performer => c => DipRole.IsMeteringService(c.Role);

    /// <summary>Which messages sent by the service answer it (scenario, MPAN and sender are matched here).</summary>
    protected abstract Expression<Func<ObservedMessage, bool>> Response { get; }

    /// <summary>Turns the action and the answers into findings.</summary>
    protected abstract IEnumerable<Finding> Judge(Requirement requirement, ObservedAction action, IEnumerable<ObservedMessage> responses, ObservationWindow window, CalendarFact calendar);

    /// <inheritdoc />
    public override void Define()
    {
        var id = RequirementId;
        Requirement requirement = null!;
        ObservedAction action = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> responses = null!;

        When()
            .Match(() => requirement, r => r.Id == id)
            .Match(() => calendar)
            .Match(() => action, Trigger)
            .Match(() => service, Performer, c => c.DipId == action.ParticipantDipId)
            .Match(() => window, w => w.Scenario == action.Scenario)
            .Query(() => responses, q => q
                .Match<ObservedMessage>(Response, m => m.Direction == Direction.Sent && m.SchemaValid,
                    m => m.Scenario == action.Scenario && m.Mpan == action.Mpan && m.SenderDipId == service.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.InsertAll(Judge(requirement, action, responses, window, calendar)));
    }

    /// <summary>The action as the trigger of a deadline judgement.</summary>
    protected static ObservedMessage AsTrigger(ObservedAction a) => new()
    {
        Id = a.Id, Scenario = a.Scenario, Direction = Direction.Published, InterfaceId = a.Action, EventCode = null, Mpan = a.Mpan,
        RecipientDipId = a.ParticipantDipId, MarketTime = a.MarketTime,
    };
}
