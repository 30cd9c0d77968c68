using System.Linq.Expressions;
using NRules.Fluent.Dsl;
using Qualification.Rules.Appointments;
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
public sealed class WorksReadingsSharedRule : ActionResponseRule
{
    /// <inheritdoc />
    protected override Expression<Func<ObservedAction, bool>> Trigger => a => a.IsMeterWorks;

    /// <inheritdoc />
    protected override Expression<Func<ObservedMessage, bool>> Response => m => m.InterfaceId == "IF-041";

    /// <inheritdoc />
    protected override IEnumerable<Finding> Judge(Requirement requirement, ObservedAction works, IEnumerable<ObservedMessage> readings, ObservationWindow window, CalendarFact calendar)
    {
        var expected = works.Action switch
        {
            "install-meter" => new[] { "[ReadingInstl]" },
            "remove-meter" => ["[ReadingRemv]"],
            _ => ["[ReadingRemv]", "[ReadingInstl]"],
        };
        return expected.Select(evt => DeadlineJudgement.Judge(requirement, AsTrigger(works), readings.Where(r => r.EventCode == evt), window, calendar.Calendar, $"IF-041 {evt}"));
    }
}
