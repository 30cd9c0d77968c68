using System.Linq.Expressions;
using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Rules.Appointments;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Rules.MeterWorks;

namespace Qualification.Rules.Relationships;

/// <summary>
/// When a supplier decides to associate an export with its import (or relate secondary metering
/// points to a primary, add one, or remove one), it asks SMRS by IF-019 with the principal in M1 and
/// the subsidiaries in B090, within the catalogue's SLA; SMRS then auto-appoints the principal's
/// service providers (or, on removal, reinstates the subsidiary's own). Only an IF-019 sent after
/// the decision, with the event for that decision, answers it.
/// </summary>
[Requirement("REC-RMP-IF019")]
[Name("Relationships are requested by IF-019")]
public sealed class RelationshipRequestedByIf019Rule : ActionResponseRule
{
    /// <inheritdoc />
    protected override Expression<Func<Candidate, bool>> Performer => c => c.Role == DipRole.Supplier;

    /// <inheritdoc />
    protected override Expression<Func<ObservedAction, bool>> Trigger => a => RelationshipChanges.IsRelationshipAction(a.Action);

    /// <inheritdoc />
    protected override Expression<Func<ObservedMessage, bool>> Response => m => m.InterfaceId == "IF-019";

    /// <inheritdoc />
    protected override IEnumerable<Finding> Judge(Requirement requirement, ObservedAction action, IEnumerable<ObservedMessage> requests, ObservationWindow window, CalendarFact calendar)
    {
        var expected = RelationshipChanges.EventByAction[action.Action];
        return [DeadlineJudgement.Judge(requirement, AsTrigger(action), requests.Where(r => r.EventCode == expected), window, calendar.Calendar, $"IF-019 {expected}")];
    }
}
