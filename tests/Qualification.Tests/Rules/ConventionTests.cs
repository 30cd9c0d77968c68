using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>Conventions that keep the catalogue, the rules and the scenarios in step.</summary>
public class ConventionTests
{
    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml"));

    [Test]
    public void EveryRule_NamesACatalogueRequirement()
    {
        foreach (var (rule, id) in RequirementEvaluator.Rules)
            Assert.That(Catalog.Find(id), Is.Not.Null, $"{rule.Name} judges {id}, which is not in the catalogue");
    }

    [Test]
    public void EveryJudgedRequirement_HasARuleAndAScenario()
    {
        var ruled = RequirementEvaluator.Rules.Values.ToHashSet();
        var featureText = string.Join("\n", Directory.EnumerateFiles(Path.Combine(Qualify.RepoRoot, "features"), "*.feature", SearchOption.AllDirectories).Select(File.ReadAllText));
        foreach (var r in Catalog.All.Where(r => !r.Planned))
        {
            Assert.That(ruled, Does.Contain(r.Id), $"{r.Id} has no rule");
            Assert.That(featureText, Does.Contain("@req:" + r.Id), $"{r.Id} has no scenario");
        }
    }

    [Test]
    public void EveryRequirementWithADeadlineRule_HasAnSla()
    {
        foreach (var id in new[] { "REC-MO-22.6.1", "MHHS-MS-IF034-RESPOND", "MHHS-IF045-ACTION", "REC-MO-MTD-IF005-3WD", "MHHS-COES-IF007", "REC-MO-IMS-120MIN", "REC-MO-D0170-MISSINGMTD", "REC-READ-D0010-REGISTER", "REC-SCH30-10WD", "MHHS-DIP-REPLAY", "REC-MO-22.6.3-REPROPOSE" })
            Assert.That(Catalog.Get(id).Sla, Is.Not.Null, id);
        // An exception process: the trigger (sla) and the time to raise it (raiseWithin), both working days.
        Assert.That((Catalog.Get("REC-SCH30-10WD").Sla?.WorkingDays, Catalog.Get("REC-SCH30-10WD").RaiseWithin?.WorkingDays), Is.EqualTo(((int?)10, (int?)5)));
    }
}
