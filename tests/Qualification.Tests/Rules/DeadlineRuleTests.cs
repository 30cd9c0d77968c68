using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>The deadline rules at their boundaries: just inside and just outside.</summary>
public class DeadlineRuleTests
{
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Supplier = "2300000012";
    private const string Service = "1200000015";
    private const string Mpan = "2300000000019";

    private static Instant At(string local) => RuleKit.At(local);

    private static ObservedMessage Message(string id, Direction direction, string iface, string evt, Instant at, string? sender = null, string? recipient = null) => new()
    {
        Id = id, Scenario = "s", Direction = direction, InterfaceId = iface, EventCode = evt, Mpan = Mpan, SenderDipId = sender, RecipientDipId = recipient, MarketTime = at,
    };

    private static IReadOnlyList<Finding> Evaluate(IEnumerable<ObservedMessage> messages, Instant windowEnd, IEnumerable<ObservedAction>? actions = null) =>
        Evaluator.Evaluate(messages, [new Candidate(Supplier, "SUP", "supplier"), new Candidate(Service, "MSS", "service")],
            [new ObservationWindow("s", At("2026-01-01"), windowEnd)], actions);

    private static Verdict VerdictOf(IReadOnlyList<Finding> findings, string requirement) =>
        findings.Single(f => f.RequirementId == requirement).Verdict;

    [TestCase("[NoMSAppointed]", "2026-01-20 01:00", Verdict.Passed)]         // exactly 60 minutes
    [TestCase("[NoMSAppointed]", "2026-01-20 01:01", Verdict.Failed)]
    [TestCase("[InvalidMarketSegment]", "2026-01-20 01:00", Verdict.Passed)]
    [TestCase("[InvalidMarketSegment]", "2026-01-20 01:01", Verdict.Failed)]
    public void If045Notice_SixtyMinuteBoundary(string notice, string sent, Verdict expected)
    {
        var reminder = Message("n", Direction.Published, "IF-045", notice, At("2026-01-20 00:00"), recipient: Supplier);
        var request = Message("r", Direction.Sent, "IF-031", "[MSApp]", At(sent), sender: Supplier);
        Assert.That(VerdictOf(Evaluate([reminder, request], At("2026-01-21")), "MHHS-IF045-ACTION"), Is.EqualTo(expected));
    }

    [TestCase("2026-01-05 10:00", Verdict.Passed)]   // exactly 60 minutes
    [TestCase("2026-01-05 10:01", Verdict.Failed)]   // 61 minutes
    public void AppointmentRequest_SixtyMinuteBoundary(string sent, Verdict expected)
    {
        var gain = Message("g", Direction.Published, "IF-002", "[GainMPANInfo]", At("2026-01-05 09:00"), recipient: Supplier);
        var request = Message("r", Direction.Sent, "IF-031", "[MSApp]", At(sent), sender: Supplier);
        Assert.That(VerdictOf(Evaluate([gain, request], At("2026-01-06")), "REC-MO-22.6.1"), Is.EqualTo(expected));
    }

    [Test]
    public void AppointmentRequest_Missing_FailsOnlyOnceTheDeadlineWasObserved()
    {
        var gain = Message("g", Direction.Published, "IF-002", "[GainMPANInfo]", At("2026-01-05 09:00"), recipient: Supplier);
        Assert.That(VerdictOf(Evaluate([gain], At("2026-01-05 09:59")), "REC-MO-22.6.1"), Is.EqualTo(Verdict.NotObserved));
        Assert.That(VerdictOf(Evaluate([gain], At("2026-01-05 10:00")), "REC-MO-22.6.1"), Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void AppointmentRequest_ToSomeoneElse_IsNotJudged()
    {
        var gain = Message("g", Direction.Published, "IF-002", "[GainMPANInfo]", At("2026-01-05 09:00"), recipient: "2300000099");
        Assert.That(Evaluate([gain], At("2026-01-06")).Where(f => f.RequirementId == "REC-MO-22.6.1"), Is.Empty);
    }

    // Works on Thursday 2 April 2026; Good Friday and Easter Monday are not working days:
    // day 1 is Tuesday 7th, day 3 is Thursday 9th, so the deadline is Friday 10th 00:00.
    [TestCase("2026-04-09 23:59", Verdict.Passed)]
    [TestCase("2026-04-10 00:01", Verdict.Failed)]
    public void MeterTechnicalDetails_ThreeWorkingDaysOverEaster(string sent, Verdict expected)
    {
        var works = new ObservedAction("a", "s", "exchange-meter", Mpan, Service, At("2026-04-02 10:00"));
        var update = Message("u", Direction.Sent, "IF-005", "[MeterExchange]", At(sent), sender: Service);
        Assert.That(VerdictOf(Evaluate([update], At("2026-04-20"), [works]), "REC-MO-MTD-IF005-3WD"), Is.EqualTo(expected));
    }

    // A removal is answered only by the IF-019 event for a removal, sent after the decision.
    [TestCase("remove-related-metering-points", "[RelatedRemove]", "2026-02-09 11:00", Verdict.Passed)]
    [TestCase("remove-related-metering-points", "[RelatedRemove]", "2026-02-09 11:01", Verdict.Failed)]
    [TestCase("remove-related-metering-points", "[RelatedCreate]", "2026-02-09 10:30", Verdict.Failed)]
    [TestCase("remove-import-export", "[LinkedImportExportRemove]", "2026-02-09 10:30", Verdict.Passed)]
    [TestCase("add-related-metering-points", "[RelatedAdd]", "2026-02-09 10:30", Verdict.Passed)]
    [TestCase("associate-import-export", "[LinkedImportExportCreate]", "2026-02-09 09:59", Verdict.Failed)]
    public void RelationshipDecision_AnsweredByItsOwnIf019Event(string action, string sentEvent, string sent, Verdict expected)
    {
        var decision = new ObservedAction("a", "s", action, Mpan, Supplier, At("2026-02-09 10:00"));
        var request = Message("r", Direction.Sent, "IF-019", sentEvent, At(sent), sender: Supplier);
        Assert.That(VerdictOf(Evaluate([request], At("2026-02-10"), [decision]), "REC-RMP-IF019"), Is.EqualTo(expected));
    }

    [Test]
    public void EffectiveFrom_SummerUtcMidnight_FailsWithTheExpectedValue()
    {
        var request = Message("r", Direction.Sent, "IF-031", "[MSApp]", At("2026-06-15 10:00"), sender: Supplier) with
        {
            CustomBlock = new System.Text.Json.Nodes.JsonObject { ["B070"] = new System.Text.Json.Nodes.JsonObject { ["proposedMeteringServiceDIPEffectiveFromDate"] = "2026-07-01T00:00:00+00:00" } },
        };
        var finding = Evaluate([request], At("2026-06-16")).Single(f => f.RequirementId == "MHHS-APP-EFD-MIDNIGHT");
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("expected 2026-07-01T00:00:00+01:00"));
    }
}
