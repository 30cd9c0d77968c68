using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>What every rule test needs: the shipped catalogue's evaluator, whose rule set is compiled once for all of them, and market times.</summary>
internal static class RuleKit
{
    /// <summary>The evaluator over features/requirements.yaml with the England &amp; Wales calendar.</summary>
    public static RequirementEvaluator Evaluator { get; } = new(
        RequirementCatalog.Load(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml")), WorkingDayCalendar.Default);

    /// <summary>A London local time, "yyyy-MM-dd HH:mm" or a date.</summary>
    public static Instant At(string local) => MarketTime.ParseLocal(local);
}
