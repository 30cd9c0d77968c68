using Qualification.Dtn.Validation;

namespace Qualification.Tests.Dtn;

public class FlowValidatorTests
{
    private static readonly FlowValidator WithPoints = new(points: Samples.Points);

    private static ValidationResult Validate(string name, FlowValidator? validator = null)
    {
        using var stream = File.OpenRead(Samples.PathOf(name));
        return (validator ?? WithPoints).Validate(stream);
    }

    private static IEnumerable<string> ValidFiles() => Samples.Valid();

    [TestCaseSource(nameof(ValidFiles))]
    public void ValidSample_HasNoErrors(string name)
    {
        var result = Validate(name);
        Assert.That(result.Errors, Is.Zero, string.Join("\n", result.Findings));
        Assert.That(result.FlowName, Is.Not.Null);
    }

    // Each MHHS rule of the seed deck: a file that follows it and one that breaks it. The failing file
    // breaks that rule and nothing else.
    [TestCase(DtnRules.Route, "ROUTE_pass.flow", "ROUTE_fail.flow", "D0304 has no route S (SMEM) → X (Supplier)")]
    [TestCase(DtnRules.D0010SupplierAgreedRead, "D0010-X_pass.flow", "D0010-X_fail.flow", "Supplier Agreed Switch Read")]
    [TestCase(DtnRules.D0010Cumulative, "D0010-X_pass.flow", "D0010-CUMULATIVE_fail.flow", "Supplier Agreed Switch Read must be of the total cumulative register 'C1'; got register '01'")]
    [TestCase(DtnRules.D0139Cumulative, "D0139-CUMULATIVE_pass.flow", "D0139-CUMULATIVE_fail.flow", "total cumulative register 'C1'; got register '01'")]
    [TestCase(DtnRules.D0300Cumulative, "D0300-CUMULATIVE_pass.flow", "D0300-CUMULATIVE_fail.flow", "total cumulative register 'C1'; got register '02'")]
    [TestCase(DtnRules.D0303Version, "D0303-V2_pass.flow", "D0303-V2_fail.flow", "'D0303001'")]
    [TestCase(DtnRules.D0304ForwardMigration, "D0304-Q_pass.flow", "D0304-Q_fail.flow", "must be Q")]
    [TestCase(DtnRules.D0312ForwardMigration, "D0312-AD_pass.flow", "D0312-AD_fail.flow", "under legacy arrangements")]
    [TestCase(DtnRules.D0311Version, "D0311-MHHS_pass.flow", "D0311-V2_fail.flow", "'D0311001'")]
    [TestCase(DtnRules.D0311ProfileClass, "D0311-MHHS_pass.flow", "D0311-PC_fail.flow", "must be null")]
    [TestCase(DtnRules.D0311ProfileClass, "D0311-MHHS_pass.flow", "D0311-PC-TRADITIONAL_fail.flow", "must be populated")]
    [TestCase(DtnRules.D0311Mtc, "D0311-MHHS_pass.flow", "D0311-MTC_fail.flow", "got '845'")]
    [TestCase(DtnRules.D0311Llfc, "D0311-MHHS_pass.flow", "D0311-LLFC_fail.flow", "DUoS Tariff Id 'A12'; got '801'")]
    [TestCase(DtnRules.D0311Cumulative, "D0311-MHHS_pass.flow", "D0311-TPR_fail.flow", "TPR 00001A")]
    [TestCase(DtnRules.D0311Eac, "D0311-MHHS_pass.flow", "D0311-EAC_fail.flow", "non-MHHS")]
    [TestCase(DtnRules.D0268Advanced, "D0268-ADVANCED_pass.flow", "D0268-ADVANCED_fail.flow", "Traditional meter")]
    [TestCase(DtnRules.TraditionalMtd, "D0150-TRADITIONAL_pass.flow", "D0150-TRADITIONAL_fail.flow", "Smart meter")]
    public void MhhsRule_PassingFileHasNoFinding_FailingFileHasExactlyThatOne(string rule, string passing, string failing, string message)
    {
        var pass = Validate(passing);
        Assert.That(pass.Findings.Where(f => f.RuleId == rule), Is.Empty, string.Join("\n", pass.Findings));
        Assert.That(pass.Errors, Is.Zero, string.Join("\n", pass.Findings));

        var fail = Validate(failing);
        var mine = fail.Findings.Where(f => f.Severity == Severity.Error || f.RuleId == rule).ToList();
        Assert.That(mine.Select(f => f.RuleId), Is.EqualTo(new[] { rule }), string.Join("\n", fail.Findings));
        Assert.That(mine[0].Message, Does.Contain(message));
        Assert.That(mine[0].Line, Is.GreaterThan(0));
    }

    [TestCase("D0311-PC_fail.flow")]
    [TestCase("D0139-CUMULATIVE_fail.flow")]
    [TestCase("D0304-Q_fail.flow")]
    [TestCase("D0268-ADVANCED_fail.flow")]
    public void RulesThatNeedMeteringPointFacts_AreNotJudgedWithoutThem(string failing)
    {
        var result = Validate(failing, new FlowValidator());
        Assert.That(result.Findings.Where(f => f.RuleId.StartsWith("REC-DTN-", StringComparison.Ordinal)), Is.Empty, string.Join("\n", result.Findings));
    }

    [Test]
    public void BrokenFile_NamesLineGroupFieldAndWhatWasExpected()
    {
        var result = Validate("D0010_broken.flow");
        string At(long line, string rule) => string.Join(" | ", result.Findings.Where(f => f.Line == line && f.RuleId == rule).Select(f => $"{f.Group} {f.Field}: {f.Message}"));
        Assert.Multiple(() =>
        {
            Assert.That(At(2, DtnRules.Mpan), Does.Contain("026 J0003 MPAN Core: MPAN core '2300000000018' has check digit 8; the digits before it give 9"));
            Assert.That(At(3, DtnRules.GroupOrder), Does.Contain("030 : 030 (Register Readings) must come under 028"));
            Assert.That(At(4, DtnRules.ValidSet), Does.Contain("028 J0171 Reading Type: 'B' is not in the valid set"));
            Assert.That(At(5, DtnRules.FieldCount), Does.Contain("6 fields; 030 (Register Readings) has 7"));
            Assert.That(At(5, DtnRules.Format), Does.Contain("J0016 Reading Date & Time: expected DATETIME ccyymmddhhmmss, got '20261304000000'"));
            Assert.That(At(5, DtnRules.Format), Does.Contain("J0040 Register Reading: expected NUM(9,1)"));
            Assert.That(At(6, DtnRules.Mandatory), Does.Contain("J0003 MPAN Core: mandatory"));
            Assert.That(At(6, DtnRules.Cardinality), Does.Contain("has 0 028 (Meter/Reading Types) groups under it; the range is 1-*"));
            Assert.That(At(7, DtnRules.Trailer), Does.Contain("expected 5 (body lines between ZHV and ZPT), got '9'"));
            Assert.That(At(7, DtnRules.Trailer), Does.Contain("differs from the ZHV file id"));
            Assert.That(At(7, DtnRules.Trailer), Does.Contain("Flow Count: expected 2"));
        });
        Assert.That(result.Findings.Select(f => f.Line), Is.Ordered, "findings come in file order");
        Assert.That(result.IsValid, Is.False);
    }

    [Test]
    public void NotAFlow_SaysItHasNoHeaderAndNoTrailer()
    {
        var result = Validate("not_a_flow.flow");
        Assert.That(result.Findings.Select(f => f.RuleId), Does.Contain(DtnRules.Header).And.Contain(DtnRules.Trailer));
        Assert.That(result.FlowAndVersion, Is.Null);
    }

    [Test]
    public void ALineTooLongToBeDtn_IsAFinding_NotACrash()
    {
        var text = File.ReadAllText(Samples.PathOf("D0010_valid.flow")).Replace("028|", "028|" + new string('x', DtnReaderMax + 10), StringComparison.Ordinal);
        var result = WithPoints.Validate(text);
        Assert.That(result.Findings.Last().RuleId, Is.EqualTo(DtnRules.Line));
        Assert.That(result.Findings.Last().Message, Does.Contain("cannot be read further").And.Contain("longer than"));
        Assert.That(result.Findings.Last().Line, Is.EqualTo(3));
    }

    private const int DtnReaderMax = Qualification.Dtn.IO.DtnReader.MaxLineLength;

    [Test]
    public void UnknownFlow_IsNamed()
    {
        var result = WithPoints.Validate("ZHV|F1|D0999001|X|SUPA|X|SUPB|20260105101500||||TR01|\n001|x|\nZPT|F1|1||1|20260105101501|\n");
        Assert.That(result.Findings.Single().RuleId, Is.EqualTo(DtnRules.UnknownFlow));
        Assert.That(result.Findings.Single().Message, Does.Contain("D0999001").And.Contain("D0010002"));
    }

    [Test]
    public void LinesAfterTheTrailer_AndAMissingTrailer_AreFindings()
    {
        var valid = File.ReadAllText(Samples.PathOf("D0010_valid.flow"));
        Assert.That(WithPoints.Validate(valid + "026|2300000000019|V|\n").Findings.Single().Message, Does.Contain("follows the ZPT"));
        var withoutTrailer = string.Join('\n', valid.Split('\n').Where(l => !l.StartsWith("ZPT", StringComparison.Ordinal)));
        Assert.That(WithPoints.Validate(withoutTrailer).Findings.Single().Message, Does.Contain("without a ZPT trailer"));
    }

    [Test]
    public void MaxCardinality_IsEnforced()
    {
        // D0304's 77C has range 1: a second one is too many.
        var text = File.ReadAllText(Samples.PathOf("D0304_valid.flow")).Replace("79C|E21Z000123|ACME M1||\n", "79C|E21Z000123|ACME M1||\n77C|MAPB|20260110|\n78C|1400001234565|||||\n79C|E21Z000124|ACME M1||\n", StringComparison.Ordinal)
            .Replace("ZPT|F000000109|3||1|", "ZPT|F000000109|6||2|", StringComparison.Ordinal);
        var result = WithPoints.Validate(text);
        Assert.That(result.Findings.Select(f => (f.RuleId, f.Line)), Is.EqualTo(new[] { (DtnRules.Cardinality, 5L) }), string.Join("\n", result.Findings));
    }

    [Test]
    public void EveryRuleId_IsListedOnce()
    {
        var ids = DtnRules.All.Select(r => r.Id).ToList();
        Assert.That(ids, Is.Unique);
        var constants = typeof(DtnRules).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.That(ids, Is.EquivalentTo(constants));
    }
}
