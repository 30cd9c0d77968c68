using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>
/// The change-of-metering-service rules (REC-MO-IMS-120MIN, REC-MO-D0170-MISSINGMTD) and the D0010
/// register readings rule (REC-READ-D0010-REGISTER) at their boundaries, with SLAs from the catalogue.
/// </summary>
public class HandoverRuleTests
{
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Service = "1200000015";
    private const string ServiceMpid = "REFM";
    private const string Supplier = "2300000012";
    private const string Mpan = "1900012374324";
    private static readonly Instant Notice = At("2026-02-02 10:00");

    private static Instant At(string local) => RuleKit.At(local);

    private static IReadOnlyList<Finding> Evaluate(IEnumerable<ObservedMessage> messages, IEnumerable<ObservedFlow> flows, Instant windowEnd, IEnumerable<ObservedAction>? actions = null) =>
        Evaluator.Evaluate(messages, [new Candidate(Supplier, "SUP", "supplier") { Mpid = "REFS" }, new Candidate(Service, "MSS", "service") { Mpid = ServiceMpid }],
            [new ObservationWindow("s", At("2026-02-01"), windowEnd)], actions, flows);

    private static IEnumerable<Finding> Of(IReadOnlyList<Finding> findings, string requirement) => findings.Where(f => f.RequirementId == requirement);

    private static ObservedMessage Published(string id, string iface, string evt, string recipient, Instant at, JsonObject custom) => new()
    {
        Id = id, Scenario = "s", Direction = Direction.Published, InterfaceId = iface, EventCode = evt, Mpan = Mpan, RecipientDipId = recipient, MarketTime = at, CustomBlock = custom,
    };

    private static ObservedFlow Flow(string id, string flow, string from, string to, Instant at, bool valid = true, bool fromHarness = false, int readings = 0) =>
        new(id, "s", flow, from, valid, valid ? [] : ["DTN-ZPT-COUNT line 6: record count 5 does not match 4"], at)
        {
            RecipientMpid = to, FromHarness = fromHarness, Mpans = [Mpan],
            RegisterReadings = readings > 0 ? new Dictionary<string, int> { [Mpan] = readings } : new Dictionary<string, int>(),
        };

    private static JsonObject Segment(string code) => new() { ["B026"] = new JsonObject { ["marketSegmentIndicator"] = code } };

    // --- REC-MO-IMS-120MIN: the candidate is the losing service; SMRS names GAIN as the gaining one. ---

    private static ObservedMessage SendMtd() =>
        Published("n", "IF-035", "[IMS-SendMTD]", Service, Notice, new JsonObject { ["B070"] = new JsonObject { ["proposedMeteringServiceDIPID"] = "1200000098", ["proposedMeteringServiceMPID"] = "GAIN" } });

    private static ObservedMessage RequestToGaining(string segment) => Published("q", "IF-033", "[MSAppSPRequest]", "1200000098", Notice - Duration.FromMinutes(1), Segment(segment));

    [TestCase(119, Verdict.Passed)]
    [TestCase(120, Verdict.Passed)]
    [TestCase(121, Verdict.Failed)]
    public void Handover_OneHundredTwentyMinuteBoundary(int minutes, Verdict expected)
    {
        var d0268 = Flow("f", "D0268002", ServiceMpid, "GAIN", Notice + Duration.FromMinutes(minutes));
        var finding = Of(Evaluate([RequestToGaining("A"), SendMtd()], [d0268], At("2026-02-03")), "REC-MO-IMS-120MIN").Single();
        Assert.That(finding.Verdict, Is.EqualTo(expected), finding.Summary);
    }

    [Test]
    public void Handover_Missing_FailsOnlyOnceTheDeadlineWasObserved()
    {
        Assert.That(Of(Evaluate([RequestToGaining("A"), SendMtd()], [], Notice + Duration.FromMinutes(119)), "REC-MO-IMS-120MIN").Single().Verdict, Is.EqualTo(Verdict.NotObserved));
        Assert.That(Of(Evaluate([RequestToGaining("A"), SendMtd()], [], Notice + Duration.FromMinutes(121)), "REC-MO-IMS-120MIN").Single().Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void Handover_ToTheSupplierOrInvalid_DoesNotCount()
    {
        var toSupplier = Flow("f1", "D0268002", ServiceMpid, "REFS", Notice + Duration.FromMinutes(5));
        var invalid = Flow("f2", "D0268002", ServiceMpid, "GAIN", Notice + Duration.FromMinutes(6), valid: false);
        var finding = Of(Evaluate([RequestToGaining("A"), SendMtd()], [toSupplier, invalid], At("2026-02-03")), "REC-MO-IMS-120MIN").Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("from REFM to REFS").And.Contain("failed validation"));
    }

    [Test]
    public void Handover_AtASmartPoint_IsNotJudged()
    {
        Assert.That(Of(Evaluate([RequestToGaining("S"), SendMtd()], [], At("2026-02-03")), "REC-MO-IMS-120MIN"), Is.Empty);
    }

    // --- REC-MO-D0170-MISSINGMTD: the candidate is the gaining service; INCM is the incumbent. ---

    private static IEnumerable<ObservedMessage> Appointed(string segment = "A")
    {
        var request = Segment(segment);
        request["B072"] = new JsonObject { ["incumbentMeteringServiceDIPID"] = "1200000099", ["incumbentMeteringServiceMPID"] = "INCM" };
        yield return Published("q", "IF-033", "[MSAppSPRequest]", Service, Notice - Duration.FromMinutes(1), request);
        yield return Published("a", "IF-035", "[MSAppAccepted]", Service, Notice, new JsonObject { ["B070"] = new JsonObject { ["proposedMeteringServiceDIPID"] = Service, ["proposedMeteringServiceMPID"] = ServiceMpid } });
    }

    // Due when the 120-minute window closes without a D0268, then 60 minutes: 180 minutes after the acceptance.
    [TestCase(30, Verdict.Passed)]     // early: not a failure
    [TestCase(179, Verdict.Passed)]
    [TestCase(181, Verdict.Failed)]
    public void MissingMtdRequest_Boundary(int minutes, Verdict expected)
    {
        var d0170 = Flow("r", "D0170001", ServiceMpid, "INCM", Notice + Duration.FromMinutes(minutes));
        var finding = Of(Evaluate(Appointed(), [d0170], At("2026-02-03")), "REC-MO-D0170-MISSINGMTD").Single();
        Assert.That(finding.Verdict, Is.EqualTo(expected), finding.Summary);
    }

    [Test]
    public void MissingMtdRequest_None_FailsOnlyOnceTheDeadlineWasObserved()
    {
        Assert.That(Of(Evaluate(Appointed(), [], Notice + Duration.FromMinutes(179)), "REC-MO-D0170-MISSINGMTD").Single().Verdict, Is.EqualTo(Verdict.NotObserved));
        Assert.That(Of(Evaluate(Appointed(), [], Notice + Duration.FromMinutes(181)), "REC-MO-D0170-MISSINGMTD").Single().Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void MissingMtdRequest_MtdsArrived_NoneNeeded_AndOneAfterThemIsAWarning()
    {
        var d0268 = Flow("m", "D0268002", "INCM", ServiceMpid, Notice + Duration.FromMinutes(10), fromHarness: true);
        Assert.That(Of(Evaluate(Appointed(), [d0268], At("2026-02-03")), "REC-MO-D0170-MISSINGMTD").Single().Verdict, Is.EqualTo(Verdict.NotObserved));
        var needless = Flow("r", "D0170001", ServiceMpid, "INCM", Notice + Duration.FromMinutes(125));
        Assert.That(Of(Evaluate(Appointed(), [d0268, needless], At("2026-02-03")), "REC-MO-D0170-MISSINGMTD").Single().Verdict, Is.EqualTo(Verdict.Warning));
    }

    [Test]
    public void MissingMtdRequest_ToTheWrongParty_Fails()
    {
        var toDistributor = Flow("r", "D0170001", ServiceMpid, "HDNO", Notice + Duration.FromMinutes(125));
        var finding = Of(Evaluate(Appointed(), [toDistributor], At("2026-02-03")), "REC-MO-D0170-MISSINGMTD").Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("to HDNO"));
    }

    [Test]
    public void MissingMtdRequest_AtASmartPoint_IsNotJudged()
    {
        Assert.That(Of(Evaluate(Appointed("S"), [], At("2026-02-03")), "REC-MO-D0170-MISSINGMTD"), Is.Empty);
    }

    // --- REC-READ-D0010-REGISTER: works on Monday 2 February 2026; 3 working days end Friday 6th 00:00. ---

    private static ObservedAction Works(string segment = "A") =>
        new("w", "s", "exchange-meter", Mpan, Service, At("2026-02-02 10:00")) { Segment = segment, SupplierMpid = "REFS" };

    [TestCase("2026-02-05 23:59", Verdict.Passed)]
    [TestCase("2026-02-06 00:01", Verdict.Failed)]
    public void RegisterReadings_ThreeWorkingDays(string sent, Verdict expected)
    {
        var d0010 = Flow("d", "D0010002", ServiceMpid, "REFS", At(sent), readings: 2);
        Assert.That(Of(Evaluate([], [d0010], At("2026-02-20"), [Works()]), "REC-READ-D0010-REGISTER").Single().Verdict, Is.EqualTo(expected));
    }

    [Test]
    public void RegisterReadings_WithoutReadingsOrToSomeoneElse_DoNotCount()
    {
        var empty = Flow("d1", "D0010002", ServiceMpid, "REFS", At("2026-02-02 11:00"));
        var elsewhere = Flow("d2", "D0010002", ServiceMpid, "HDNO", At("2026-02-02 11:00"), readings: 2);
        var finding = Of(Evaluate([], [empty, elsewhere], At("2026-02-20"), [Works()]), "REC-READ-D0010-REGISTER").Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("no register reading").And.Contain("not the supplier REFS"));
    }

    [Test]
    public void RegisterReadings_AtASmartPoint_AreNotJudged()
    {
        Assert.That(Of(Evaluate([], [], At("2026-02-20"), [Works("S")]), "REC-READ-D0010-REGISTER"), Is.Empty);
    }
}
