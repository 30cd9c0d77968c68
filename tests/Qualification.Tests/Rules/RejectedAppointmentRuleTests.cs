using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>
/// REC-MO-22.6.3-REPROPOSE: after a rejected metering service appointment the supplier proposes
/// again within the catalogue's 60 minutes; what counts as a new proposal, and what is not demanded.
/// </summary>
public class RejectedAppointmentRuleTests
{
    private const string Requirement = "REC-MO-22.6.3-REPROPOSE";
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Supplier = "2300000012";
    private const string Declining = "1200000015";
    private const string Fallback = "1200000098";
    private const string Mpan = "2300000000028";
    private const string NotQualified = "REG1031 - Service provider is not qualified for the market segment of the MPAN";

    private static Instant At(string local) => RuleKit.At(local);

    private static JsonObject B070(string service, string scenario = "COS") => new()
    {
        ["B070"] = new JsonObject { ["proposedMeteringServiceDIPID"] = service, ["appointmentScenario"] = scenario },
    };

    // Ids carry the journal sequence the rule orders by ("J<seq>#<item>" sent, "J<seq>" published).
    private static ObservedMessage Proposal(int seq, string service, string at, bool valid = true) => new()
    {
        Id = $"J{seq}#0", Scenario = "s", Direction = Direction.Sent, InterfaceId = "IF-031", EventCode = "[MSApp]", Mpan = Mpan, SenderDipId = Supplier,
        MarketTime = At(at), SchemaValid = valid, CustomBlock = B070(service),
    };

    private static ObservedMessage Published(int seq, string iface, string evt, string service, string at, string? code = null, IReadOnlyList<string>? reasons = null, string scenario = "COS") => new()
    {
        Id = $"J{seq}", Scenario = "s", Direction = Direction.Published, InterfaceId = iface, EventCode = evt, Mpan = Mpan, SenderDipId = "1000000001", RecipientDipId = Supplier,
        MarketTime = At(at), CustomBlock = B070(service, scenario), ResponseCode = code, ResponseMessages = reasons ?? [],
    };

    private static ObservedMessage Declined(int seq, string at, string service = Declining, string scenario = "COS") =>
        Published(seq, "IF-035", "[MSAppRejected]", service, at, scenario: scenario);

    private static ObservedMessage InitialResponse(int seq, string service, string at, bool accepted, params string[] reasons) =>
        Published(seq, "IF-032", "[MSAppInitialResp]", service, at, accepted ? "A" : "R", reasons);

    private static IReadOnlyList<Finding> Findings(IEnumerable<ObservedMessage> messages, string windowEnd = "2026-01-06") =>
        Evaluator.Evaluate(messages, [new Candidate(Supplier, "SUP", "supplier")], [new ObservationWindow("s", At("2026-01-05"), At(windowEnd))])
            .Where(f => f.RequirementId == Requirement).ToList();

    // The first proposal to the declining service, its acceptance by SMRS, then the service's rejection at 09:10.
    private static List<ObservedMessage> DeclinedAt0910() =>
    [
        Proposal(1, Declining, "2026-01-05 09:00"),
        InitialResponse(2, Declining, "2026-01-05 09:00", accepted: true),
        Declined(5, "2026-01-05 09:10"),
    ];

    [TestCase("2026-01-05 10:10", Verdict.Passed)]   // exactly 60 minutes
    [TestCase("2026-01-05 10:11", Verdict.Failed)]   // 61 minutes
    public void NewProposal_SixtyMinuteBoundary(string sent, Verdict expected)
    {
        var messages = DeclinedAt0910();
        messages.Add(Proposal(6, Fallback, sent));
        var finding = Findings(messages).Single();
        Assert.That(finding.Verdict, Is.EqualTo(expected), finding.Summary);
        Assert.That(finding.Evidence.Select(e => e.MessageId), Is.EqualTo(new[] { "J5", "J6#0" }));
    }

    [Test]
    public void NoNewProposal_FailsOnlyOnceTheDeadlineWasObserved()
    {
        Assert.That(Findings(DeclinedAt0910(), "2026-01-05 10:09").Single().Verdict, Is.EqualTo(Verdict.NotObserved));
        var finding = Findings(DeclinedAt0910(), "2026-01-05 10:10").Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Failed));
        Assert.That(finding.Summary, Does.Contain("no new IF-031").And.Contain("deadline 2026-01-05T10:10:00+00:00"));
    }

    [Test]
    public void SmrsRejectingTheSecondProposalToo_DoesNotCountAsTheNewProposal()
    {
        var messages = DeclinedAt0910();
        messages.Add(Proposal(6, Fallback, "2026-01-05 09:20"));
        messages.Add(InitialResponse(7, Fallback, "2026-01-05 09:20", accepted: false, NotQualified));
        var findings = Findings(messages);
        var first = findings.Single(f => f.Evidence[0].MessageId == "J5");
        Assert.That(first.Verdict, Is.EqualTo(Verdict.Failed), first.Summary);
        Assert.That(first.Summary, Does.Contain("rejected by SMRS again do not count"));
        // SMRS's rejection of the second proposal is itself a rejection the supplier must answer.
        Assert.That(findings.Single(f => f.Evidence[0].MessageId == "J7").Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void SmrsRejectingTheService_IsAnsweredByAProposalOfAnother_AtTheSameMarketSecond()
    {
        // At a high time scale the rejection and both proposals share a market second: journal order tells them apart.
        var messages = new List<ObservedMessage>
        {
            Proposal(1, Declining, "2026-01-05 09:00"),
            InitialResponse(3, Declining, "2026-01-05 09:00", accepted: false, NotQualified),
            Proposal(2, Fallback, "2026-01-05 09:00"),
            InitialResponse(4, Fallback, "2026-01-05 09:00", accepted: true),
        };
        var finding = Findings(messages).Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Passed), finding.Summary);
        Assert.That(finding.Evidence.Last().MessageId, Is.EqualTo("J2#0"));
    }

    [Test]
    public void ProposingTheServiceThatDeclined_IsAWarning()
    {
        var messages = DeclinedAt0910();
        messages.Add(Proposal(6, Declining, "2026-01-05 09:30"));
        messages.Add(InitialResponse(7, Declining, "2026-01-05 09:30", accepted: true));
        var finding = Findings(messages).Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.Warning), finding.Summary);
        Assert.That(finding.Summary, Does.Contain("the service that declined"));
    }

    [Test]
    public void SchemaInvalidProposal_DoesNotCount()
    {
        var messages = DeclinedAt0910();
        messages.Add(Proposal(6, Fallback, "2026-01-05 09:20", valid: false));
        Assert.That(Findings(messages).Single().Verdict, Is.EqualTo(Verdict.Failed));
    }

    [Test]
    public void Lapse_DemandsNoNewProposal()
    {
        var messages = new List<ObservedMessage>
        {
            Proposal(1, Declining, "2026-01-05 09:00"),
            Published(5, "IF-035", "[MSAppLapsed]", Declining, "2026-01-19 17:30"),
        };
        Assert.That(Findings(messages, "2026-01-21"), Is.Empty);
    }

    [TestCase("CSP")]
    [TestCase("USP")]
    [TestCase("MCA")]
    public void RejectionWhileAServiceStands_DemandsNoNewProposal(string scenario)
    {
        Assert.That(Findings([Declined(5, "2026-01-05 09:10", scenario: scenario)]), Is.Empty);
    }

    [Test]
    public void RejectionAlsoAboutTheRequest_IsLeftToTheRequirementsOnTheRequest()
    {
        var rejection = InitialResponse(3, Declining, "2026-01-05 09:00", accepted: false, NotQualified,
            "REG1032 - Service provider effective from date must be at local (Europe/London) midnight");
        Assert.That(Findings([Proposal(1, Declining, "2026-01-05 09:00"), rejection]), Is.Empty);
    }

    [Test]
    public void AnotherAcceptedAppointment_CoversThePoint()
    {
        var messages = new List<ObservedMessage>
        {
            Proposal(1, Fallback, "2026-01-05 09:00"),
            Published(2, "IF-035", "[MSAppAccepted]", Fallback, "2026-01-05 09:01"),
            Proposal(3, Declining, "2026-01-05 09:02"),
            Declined(5, "2026-01-05 09:10"),
        };
        var finding = Findings(messages).Single();
        Assert.That(finding.Verdict, Is.EqualTo(Verdict.NotObserved), finding.Summary);
        Assert.That(finding.Summary, Does.Contain("covers the metering point"));
    }

    [Test]
    public void RejectionToAnotherSupplier_IsNotJudged()
    {
        var rejection = Declined(5, "2026-01-05 09:10") with { RecipientDipId = "2300000099" };
        Assert.That(Findings([rejection]), Is.Empty);
    }
}
