using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>How findings roll up into one verdict per requirement, and when a requirement is out of scope.</summary>
public class AssessmentTests
{
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Requirement = "REC-MO-22.6.1";

    private static RequirementResult Assess(IReadOnlyList<string> taggedScenarios, params Verdict[] findings) =>
        Evaluator.Assess(findings.Select((v, i) => new Finding(Requirement, v, "scenario " + i, "2300000000019", v.ToString(), [])).ToList(),
            new Dictionary<string, IReadOnlyList<string>> { [Requirement] = taggedScenarios }, new HashSet<string> { "SUP" })
            .Single(r => r.Requirement.Id == Requirement);

    [Test]
    public void Untagged_and_only_not_observed_is_out_of_scope() =>
        Assert.That(Assess([], Verdict.NotObserved).Verdict, Is.EqualTo(Verdict.Skipped));

    [Test]
    public void Untagged_but_broken_somewhere_still_fails() =>
        Assert.That(Assess([], Verdict.NotObserved, Verdict.Failed).Verdict, Is.EqualTo(Verdict.Failed));

    [Test]
    public void Untagged_but_passed_somewhere_passes() =>
        Assert.That(Assess([], Verdict.Passed, Verdict.NotObserved).Verdict, Is.EqualTo(Verdict.Passed));

    [Test]
    public void Tagged_and_never_triggered_is_not_observed() =>
        Assert.That(Assess(["the tagged scenario"], Verdict.NotObserved).Verdict, Is.EqualTo(Verdict.NotObserved));

    [Test]
    public void Tagged_with_a_failure_among_passes_fails() =>
        Assert.That(Assess(["the tagged scenario"], Verdict.Passed, Verdict.Failed, Verdict.Passed).Verdict, Is.EqualTo(Verdict.Failed));
}
