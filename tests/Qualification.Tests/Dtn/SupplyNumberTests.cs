using Qualification.Domain;

namespace Qualification.Tests.Dtn;

public class SupplyNumberTests
{
    private static readonly MpanCore Core = MpanCore.Parse("2300000000019");

    [Test]
    public void Migrated_TopLineHasProfileClassSscAndDuosTariffId()
    {
        var number = SupplyNumber.ForMigrated(Core, "01", "0393", "A12");
        Assert.That(number.TopLine, Is.EqualTo("S 01 0393 A12"));
        Assert.That(number.BottomLine, Is.EqualTo("2300000000019"));
        Assert.That(number.Problems(traditionalMeter: true), Is.Empty);
    }

    [Test]
    public void Migrated_SmartMeterWithoutProfileClass_PrintsABlankSlotAndIsFine()
    {
        var number = SupplyNumber.ForMigrated(Core, null, "0393", "A12");
        Assert.That(number.TopLine, Is.EqualTo("S    0393 A12"));
        Assert.That(number.Problems(traditionalMeter: false), Is.Empty);
    }

    [Test]
    public void Migrated_TraditionalMeterWithoutProfileClass_IsAProblem() =>
        Assert.That(SupplyNumber.ForMigrated(Core, null, "0393", "A12").Problems(traditionalMeter: true), Has.One.Contains("mandatory for a Traditional meter"));

    [Test]
    public void NonMigrated_KeepsTheLlfc_AndMissingValuesAreNull()
    {
        var number = SupplyNumber.ForNonMigrated(Core, null, null, "801");
        Assert.That(number.TopLine, Is.EqualTo("S         801"));
        Assert.That((number.ProfileClass, number.Ssc, number.DistributionTariff), Is.EqualTo(((string?)null, (string?)null, "801")));
        Assert.That(number.Problems(), Is.Empty);
    }

    [TestCase(true, "1", "0393", "A12", "two digits")]
    [TestCase(true, "01", "393", "A12", "four digits")]
    [TestCase(true, "01", "0393", "A123", "DUoS Tariff Id")]
    [TestCase(false, "01", "0393", "A1", "LLFC Id")]
    public void BadValues_AreNamed(bool migrated, string pc, string ssc, string tariff, string expected)
    {
        var number = migrated ? SupplyNumber.ForMigrated(Core, pc, ssc, tariff) : SupplyNumber.ForNonMigrated(Core, pc, ssc, tariff);
        Assert.That(number.Problems(), Has.One.Contains(expected));
    }

    [TestCase("S 01 0393 A12", true)]
    [TestCase("S    0393 A12", true)]
    [TestCase("S 05 0001 801", false)]
    public void TopLine_ParsesBackToTheSameNumber(string line, bool migrated)
    {
        var number = SupplyNumber.ParseTopLine(line, Core, migrated);
        Assert.That(number.TopLine, Is.EqualTo(line));
        Assert.That(number.Migrated, Is.EqualTo(migrated));
    }

    [TestCase("01 0393 A12")]
    [TestCase("S010393A12")]
    public void TopLine_WithTheWrongLayout_IsRejected(string line) =>
        Assert.Throws<FormatException>(() => SupplyNumber.ParseTopLine(line, Core, migrated: true));
}
