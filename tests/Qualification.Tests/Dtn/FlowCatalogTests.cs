using Qualification.Dtn.Definitions;

namespace Qualification.Tests.Dtn;

public class FlowCatalogTests
{
    private static readonly FlowCatalog Catalog = FlowCatalog.Default;

    [TestCase("D0010002", "026", 7)]
    [TestCase("D0139002", "261", 3)]
    [TestCase("D0149001", "280", 9)]
    [TestCase("D0150002", "288", 9)]
    [TestCase("D0170001", "350", 2)]
    [TestCase("D0268002", "01A", 5)]
    [TestCase("D0300001", "58C", 3)]
    [TestCase("D0303002", "72C", 5)]
    [TestCase("D0304001", "77C", 5)]
    [TestCase("D0311002", "05D", 6)]
    [TestCase("D0312003", "11D", 5)]
    public void EveryMhhsAffectedFlow_IsLoadedFromTheDtcData(string key, string topGroup, int groups)
    {
        var flow = Catalog.Find(key);
        Assert.That(flow, Is.Not.Null, key);
        Assert.That(flow!.TopLevel.Select(g => g.Id), Is.EqualTo(new[] { topGroup }));
        Assert.That(flow.Groups, Has.Count.EqualTo(groups));
    }

    [Test]
    public void D0268_IsNamedAdvancedMeterTechnicalDetails() =>
        Assert.That(Catalog.Find("D0268002")!.Name, Is.EqualTo("Advanced Meter Technical Details"));

    [Test]
    public void D0303Version2_MakesJ0049AndJ0410Optional()
    {
        var flow = Catalog.Find("D0303002")!;
        Assert.That(flow.Find("73C")!.Fields.Single(f => f.Ref == "J0049").Required, Is.False);
        Assert.That(flow.Find("74C")!.Fields.Single(f => f.Ref == "J0410").Required, Is.False);
        Assert.That(flow.Find("73C")!.Fields.Single(f => f.Ref == "J0084").Required, Is.True, "Supplier Id stays mandatory");
    }

    [Test]
    public void ReadingType_HasSupplierAgreedSwitchReadX()
    {
        var readingType = Catalog.Find("D0010002")!.Find("028")!.Fields.Single(f => f.Ref == "J0171");
        Assert.That(readingType.ValidSet!.Codes["X"], Is.EqualTo("Supplier Agreed Switch Read"));
    }

    [Test]
    public void RegisterReading_KeepsItsDecimalsFromTheDataItemCatalogue()
    {
        // The flow table says NUM(9); the data-item catalogue says NUM(9 ,1).
        var reading = Catalog.Find("D0010002")!.Find("030")!.Fields.Single(f => f.Ref == "J0040");
        Assert.That((reading.Format.Kind, reading.Format.Length, reading.Format.Decimals), Is.EqualTo((DataKind.Number, 9, 1)));
    }

    [Test]
    public void DerivedItem_TakesItsBaseFormatFromTheOverlay()
    {
        var mapId = Catalog.Find("D0150002")!.Find("290")!.Fields.Single(f => f.Ref == "J1677");
        Assert.That((mapId.Format.Kind, mapId.Format.Length), Is.EqualTo((DataKind.Char, 4)));
    }

    [Test]
    public void ConditionalGroups_HaveTheirMinimumRelaxed_OthersKeepTheDtcRange()
    {
        Assert.That(Catalog.Find("D0010002")!.Find("032")!.Min, Is.EqualTo(0));
        Assert.That(Catalog.Find("D0010002")!.Find("028")!.Min, Is.EqualTo(1));
        Assert.That(Catalog.Find("D0312003")!.Find("77M")!.Min, Is.EqualTo(1));
    }

    [Test]
    public void NewMhhsRoleCodes_MapToTheirDtcRoles()
    {
        var roles = Catalog.Overlay.RoleCodes;
        Assert.That(new[] { roles["N"][0], roles["O"][0], roles["S"][0], roles["T"][0] }, Is.EqualTo(new[] { "SDSA", "ADSA", "SMEM", "AMEM" }));
    }

    [TestCase("NUM(9 ,1)", "4512.0", true)]
    [TestCase("NUM(9 ,1)", "4512", true)]
    [TestCase("NUM(9 ,1)", "4512.05", false)]
    [TestCase("NUM(9 ,1)", "1234567890.0", false)]
    [TestCase("NUM(9 ,1)", "-1.0", false)]
    [TestCase("±NUM(14 ,1)", "-3100.5", true)]
    [TestCase("CHAR(4)", "MAPA", true)]
    [TestCase("CHAR(4)", "MAPAX", false)]
    [TestCase("DATE", "20240229", true)]
    [TestCase("DATE", "20230229", false)]
    [TestCase("DATE", "19491231", false)]
    [TestCase("DATETIME", "20260104235959", true)]
    [TestCase("DATETIME", "20260104240000", false)]
    [TestCase("BOOLEAN", "T", true)]
    [TestCase("BOOLEAN", "Y", false)]
    [TestCase("INT(1)", "5", true)]
    [TestCase("INT(1)", "12", false)]
    public void DataFormat_AcceptsWhatTheDtcAllows(string format, string value, bool accepted) =>
        Assert.That(DataFormat.Parse(format).Accepts(value), Is.EqualTo(accepted), $"{format} '{value}'");
}
