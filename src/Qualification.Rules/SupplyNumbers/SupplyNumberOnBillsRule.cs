using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.SupplyNumbers;

/// <summary>
/// REC change R0083 (deck "Supply number format"): the Supply Number a supplier prints on its bills has
/// the top line Profile Class, SSC (in place of the MTC) and DUoS Tariff Id (in place of the LLFC Id);
/// non-migrated MPANs keep the LLFC Id; values not available are blank. The expected top line is
/// composed from the metering point's registration data the harness holds (<see cref="SupplyNumber"/>)
/// and compared with what the supplier printed.
/// </summary>
[Requirement(SupplyNumber.RequirementId)]
[Name("Bills carry the R0083 Supply Number")]
public sealed class SupplyNumberOnBillsRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedSupplyNumber printed = null!;
        Candidate supplier = null!;

        When()
            .Match(() => requirement, r => r.Id == SupplyNumber.RequirementId)
            .Match(() => printed)
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == printed.SupplierDipId);
        Then()
            .Do(ctx => ctx.Insert(Judge(requirement, printed)));
    }

    /// <summary>The judgement, public so its cases can be tested without a rule session.</summary>
    public static Finding Judge(Requirement requirement, ObservedSupplyNumber printed)
    {
        var evidence = new[] { new EvidenceItem(printed.Id, $"bill for {printed.Mpan}: Supply Number top line '{printed.TopLine}', bottom line '{printed.BottomLine}'", printed.MarketTime) };
        Finding Result(Verdict verdict, string summary) => new(requirement.Id, verdict, printed.Scenario, printed.Mpan, summary, evidence);
        if (!MpanCore.TryParse(printed.Mpan, out var core))
            return Result(Verdict.Failed, $"the bill names '{printed.Mpan}', which is not an MPAN core: {MpanCore.Problem(printed.Mpan)}");
        var expected = printed.Migrated
            ? SupplyNumber.ForMigrated(core, printed.ProfileClass, printed.Ssc, printed.DuosTariffId)
            : SupplyNumber.ForNonMigrated(core, printed.ProfileClass, printed.Ssc, printed.Llfc);
        var regime = printed.Migrated ? "migrated (PC, SSC, DUoS Tariff Id)" : "non-migrated (PC, SSC, LLFC Id)";
        if (printed.TopLine is null)
            return Result(Verdict.Failed, $"{printed.SupplierDipId} returned no Supply Number for the bill of {printed.Mpan}; expected top line '{expected.TopLine}' ({regime})");
        if (printed.TopLine.TrimEnd() != expected.TopLine.TrimEnd())
            return Result(Verdict.Failed, $"the bill of {printed.Mpan} prints the top line '{printed.TopLine}'; R0083 gives '{expected.TopLine}' for this {regime} metering point");
        if (printed.BottomLine != expected.BottomLine)
            return Result(Verdict.Failed, $"the bill of {printed.Mpan} prints the bottom line '{printed.BottomLine}'; it must be the MPAN core {expected.BottomLine}");
        return Result(Verdict.Passed, $"the bill of {printed.Mpan} prints the R0083 Supply Number '{expected.TopLine}' over {expected.BottomLine} ({regime})");
    }
}
