using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>
/// The supplier's own obligations, judged by the rules in a real NRules session: switch meter reading
/// exceptions at their working-day boundaries (Easter 2026 in between), replays, and the Supply Number.
/// </summary>
public class SupplierObligationRuleTests
{
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Supplier = "2300000012";
    private const string SupplierMpid = "REFS";
    private const string Mpan = "2300000000019";

    private static Instant At(string local) => RuleKit.At(local);

    private static IReadOnlyList<Finding> Evaluate(Instant windowEnd, IEnumerable<ObservedMessage>? messages = null, params object[] others) =>
        Evaluator.Evaluate(messages ?? [], [new Candidate(Supplier, "SUP", "supplier") { Mpid = SupplierMpid }],
            [new ObservationWindow("s", At("2026-01-01"), windowEnd)], others: others);

    private static Finding Only(IReadOnlyList<Finding> findings, string requirement) => findings.Single(f => f.RequirementId == requirement);

    // ---- REC-SCH30-10WD --------------------------------------------------------------------------

    // Supply start Wednesday 25 March 2026. Good Friday (3 April) and Easter Monday (6 April) are not
    // working days, so the 10th working day after it is Friday 10 April and the exception process
    // triggers at Saturday 11 April 00:00; five more working days end on Friday 17 April.
    private static readonly ObservedSwitch Switch = new("c", "s", Mpan, Supplier, "CSS-1", new LocalDate(2026, 3, 25), At("2026-03-25"));

    private static ObservedMeterReading Read(string sent, string readDate = "2026-03-25", string type = "X", IReadOnlyList<string>? cumulativeFindings = null) =>
        new("d", "s", SupplierMpid, "X", Mpan, "E21Z000001", type, ["01"], [NodaTime.Text.LocalDatePattern.Iso.Parse(readDate).Value], cumulativeFindings ?? [], At(sent))
        {
            SupplierAgreedSwitchRead = type == "X",
        };

    [TestCase("2026-04-09 10:00", Verdict.Warning)]   // 9th working day (a calendar without Easter would call it the 11th)
    [TestCase("2026-04-10 23:59", Verdict.Warning)]   // 10th working day: before the trigger
    [TestCase("2026-04-13 00:00", Verdict.Passed)]    // 11th working day: the first after the trigger
    [TestCase("2026-04-17 23:59", Verdict.Passed)]    // the last minute of the fifth working day after the trigger
    [TestCase("2026-04-20 09:00", Verdict.Failed)]    // the working day after that
    public void SwitchReadException_WorkingDayBoundaries(string sent, Verdict expected) =>
        Assert.That(Only(Evaluate(At("2026-04-30"), null, Switch, Read(sent)), "REC-SCH30-10WD").Verdict, Is.EqualTo(expected));

    [Test]
    public void SwitchReadException_Missing_FailsOnlyOnceTheDeadlineWasObserved()
    {
        Assert.That(Only(Evaluate(At("2026-04-17 23:59"), null, Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.NotObserved));
        Assert.That(Only(Evaluate(At("2026-04-18 00:00"), null, Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void SwitchReadException_ObservedOnlyBeforeTheTrigger_IsNotJudged()
    {
        // A switch that merely completes in a scenario (e.g. an appointment) says nothing about exceptions.
        Assert.That(Evaluate(At("2026-04-10 23:59"), null, Switch).Where(f => f.RequirementId == "REC-SCH30-10WD"), Is.Empty);
        Assert.That(Only(Evaluate(At("2026-04-11 00:00"), null, Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.NotObserved));
    }

    [Test]
    public void SwitchReadException_OfAnotherReadingType_DoesNotCount() =>
        Assert.That(Only(Evaluate(At("2026-04-30"), null, Switch, Read("2026-04-13 09:00", type: "R")), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.Failed));

    [Test]
    public void SwitchReadException_NotAtTheSupplyStartDate_Fails()
    {
        var finding = Only(Evaluate(At("2026-04-30"), null, Switch, Read("2026-04-13 09:00", readDate: "2026-04-13")), "REC-SCH30-10WD");
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("not the supply start date 2026-03-25"));
    }

    [Test]
    public void SwitchReadException_OfANonCumulativeSmartRegister_Fails()
    {
        var finding = Only(Evaluate(At("2026-04-30"), null, Switch, Read("2026-04-13 09:00", cumulativeFindings: ["readings must be of the total cumulative register '01'; got register '02'"])), "REC-SCH30-10WD");
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("total cumulative register"));
    }

    private static readonly ObservedMessage SwitchReadShared = new()
    {
        Id = "sr", Scenario = "s", Direction = Direction.Published, InterfaceId = "IF-041", EventCode = "[ReadingCOS]", Mpan = Mpan, RecipientDipId = Supplier,
        MarketTime = At("2026-03-27 10:00"),
    };

    [Test]
    public void SwitchReadShared_NoExceptionIsDue()
    {
        Assert.That(Only(Evaluate(At("2026-04-30"), [SwitchReadShared], Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.Passed));
        Assert.That(Only(Evaluate(At("2026-04-17 23:59"), [SwitchReadShared], Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.NotObserved));
        // Raising one anyway is right only if the supplier disputes the read, which the harness cannot see.
        Assert.That(Only(Evaluate(At("2026-04-30"), [SwitchReadShared], Switch, Read("2026-04-13 09:00")), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.Warning));
        // A switch read after the trigger does not settle it: the exception was already due.
        Assert.That(Only(Evaluate(At("2026-04-30"), [SwitchReadShared with { MarketTime = At("2026-04-13 10:00") }], Switch), "REC-SCH30-10WD").Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void SwitchReadException_ForAnotherSuppliersSwitch_IsNotJudged() =>
        Assert.That(Evaluate(At("2026-04-30"), null, Switch with { SupplierDipId = "2300000099" }).Where(f => f.RequirementId == "REC-SCH30-10WD"), Is.Empty);

    // ---- MHHS-DIP-REPLAY -----------------------------------------------------------------------

    private static ObservedMessage Request(string id, string at) => new()
    {
        Id = id, Scenario = "s", Direction = Direction.Sent, InterfaceId = "IF-031", EventCode = "[MSApp]", Mpan = Mpan, SenderDipId = Supplier, MarketTime = At(at),
    };

    private static ObservedReplay Replay(bool originalDelivered) =>
        new("p", "s", "IF-002", "[GainMPANInfo]", Mpan, Supplier, "T1", At("2026-01-05 10:00"), originalDelivered ? "o" : null, originalDelivered ? At("2026-01-05 09:00") : null);

    [Test]
    public void Replay_OfAMessageActedOn_PassesWithoutASecondRequest_AndFailsWithOne()
    {
        var first = Request("r1", "2026-01-05 09:01");
        Assert.That(Only(Evaluate(At("2026-01-05 11:00"), [first], Replay(true)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(Verdict.Passed));
        Assert.That(Only(Evaluate(At("2026-01-05 10:59"), [first], Replay(true)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(Verdict.NotObserved));
        Assert.That(Only(Evaluate(At("2026-01-05 11:00"), [first, Request("r2", "2026-01-05 10:01")], Replay(true)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(Verdict.Failed));
    }

    [TestCase("2026-01-05 10:01", Verdict.Passed)]
    [TestCase("2026-01-05 11:30", Verdict.Passed)]   // late, but how quickly is REC-MO-22.6.1's to judge
    public void Replay_OfAMessageNeverReceived_IsActedOnOnce(string sent, Verdict expected) =>
        Assert.That(Only(Evaluate(At("2026-01-05 12:00"), [Request("r1", sent)], Replay(false)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(expected));

    [Test]
    public void Replay_OfAMessageNeverReceived_IgnoredOrActedOnTwice_Fails()
    {
        Assert.That(Only(Evaluate(At("2026-01-05 11:00"), [], Replay(false)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(Only(Evaluate(At("2026-01-05 10:59"), [], Replay(false)), "MHHS-DIP-REPLAY").Verdict, Is.EqualTo(Verdict.NotObserved));
        Assert.That(Only(Evaluate(At("2026-01-05 12:00"), [Request("r1", "2026-01-05 10:01"), Request("r2", "2026-01-05 10:02")], Replay(false)), "MHHS-DIP-REPLAY").Verdict,
            Is.EqualTo(Verdict.Failed));
    }

    // ---- REC-R0083-SUPPLYNUMBER ----------------------------------------------------------------

    private static ObservedSupplyNumber Bill(bool migrated, string? printed, string? profileClass = null) =>
        new("b", "s", Mpan, Supplier, migrated, profileClass, "0393", "A12", "801", printed, printed is null ? null : Mpan, At("2026-01-05 09:00"));

    [TestCase(true, null, "S    0393 A12", Verdict.Passed)]   // migrated Smart: no Profile Class, SSC, DUoS Tariff Id
    [TestCase(true, null, "S    845 801", Verdict.Failed)]    // the layout before R0083: MTC and LLFC Id
    [TestCase(true, null, "S    0393 801", Verdict.Failed)]   // LLFC Id where the DUoS Tariff Id belongs
    [TestCase(false, "01", "S 01 0393 801", Verdict.Passed)]  // non-migrated: keeps the LLFC Id
    [TestCase(false, "01", "S 01 0393 A12", Verdict.Failed)]  // non-migrated with the DUoS Tariff Id
    [TestCase(true, null, null, Verdict.Failed)]              // no Supply Number on the bill
    public void SupplyNumber_TopLineFollowsR0083(bool migrated, string? profileClass, string? printed, Verdict expected) =>
        Assert.That(Only(Evaluate(At("2026-01-06"), null, Bill(migrated, printed, profileClass)), "REC-R0083-SUPPLYNUMBER").Verdict, Is.EqualTo(expected));

    [Test]
    public void SupplyNumber_WithTheWrongBottomLine_Fails() =>
        Assert.That(Only(Evaluate(At("2026-01-06"), null, Bill(true, "S    0393 A12") with { BottomLine = "1412345678901" }), "REC-R0083-SUPPLYNUMBER").Verdict,
            Is.EqualTo(Verdict.Failed));
}
