using System.Linq.Expressions;
using NRules.Fluent.Dsl;
using Qualification.Rules.Appointments;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Rules.MeterWorks;

namespace Qualification.Rules.Energisation;

/// <summary>
/// A change of energisation status is reported to SMRS by its own IF-007
/// [EnergisationStatusChange] (REC deck: "IF-007 always sent separately"), within the catalogue's SLA.
/// </summary>
[Requirement("MHHS-COES-IF007")]
[Name("Energisation changes are reported by IF-007")]
public sealed class EnergisationChangeReportedByIf007Rule : ActionResponseRule
{
    /// <inheritdoc />
    protected override Expression<Func<ObservedAction, bool>> Trigger => a => a.Action == "change-energisation";

    /// <inheritdoc />
    protected override Expression<Func<ObservedMessage, bool>> Response => m => m.InterfaceId == "IF-007" && m.EventCode == "[EnergisationStatusChange]";

    /// <inheritdoc />
    protected override IEnumerable<Finding> Judge(Requirement requirement, ObservedAction change, IEnumerable<ObservedMessage> reports, ObservationWindow window, CalendarFact calendar) =>
        [DeadlineJudgement.Judge(requirement, AsTrigger(change), reports, window, calendar.Calendar, "IF-007 [EnergisationStatusChange]")];
}
