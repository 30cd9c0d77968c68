using NodaTime;

namespace Qualification.Rules;

/// <summary>What a rule concluded about one requirement in one situation.</summary>
public enum Verdict
{
    /// <summary>Observed and correct.</summary>
    Passed,
    /// <summary>Observed and wrong.</summary>
    Failed,
    /// <summary>Correct but doubtful; does not fail the gate.</summary>
    Warning,
    /// <summary>Needs a person to judge; says what to look at.</summary>
    Review,
    /// <summary>The behaviour was never triggered or the observation ended too early.</summary>
    NotObserved,
    /// <summary>Not in the run's scope (no scenario executed it).</summary>
    Skipped,
}

/// <summary>A piece of evidence behind a finding.</summary>
/// <param name="MessageId">Observed message id.</param>
/// <param name="Description">What it is and when it happened.</param>
/// <param name="MarketTime">When it happened in market time.</param>
public sealed record EvidenceItem(string MessageId, string Description, Instant MarketTime);

/// <summary>A rule's conclusion.</summary>
/// <param name="RequirementId">The requirement judged.</param>
/// <param name="Verdict">Its verdict here.</param>
/// <param name="Scenario">The scenario observed.</param>
/// <param name="Mpan">The metering point concerned.</param>
/// <param name="Summary">One sentence: what was expected and what happened, with the values.</param>
/// <param name="Evidence">The messages behind it.</param>
public sealed record Finding(string RequirementId, Verdict Verdict, string Scenario, string Mpan, string Summary, IReadOnlyList<EvidenceItem> Evidence);
