using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Tests.Support;

namespace Qualification.Tests.Rules;

/// <summary>The migration rules on facts: each SMRS migration answer, and the watched period after reverse migration.</summary>
public class MigrationRuleTests
{
    private static readonly RequirementEvaluator Evaluator = RuleKit.Evaluator;

    private const string Supplier = "2300000012";
    private const string Service = "1200000015";
    private const string Mpan = "2300000000019";

    private static Instant At(string local) => RuleKit.At(local);

    private static JsonObject B070(string scenario) => new()
    {
        ["B070"] = new JsonObject
        {
            ["proposedMeteringServiceDIPID"] = Service, ["proposedMeteringServiceDIPEffectiveFromDate"] = "2026-01-20T00:00:00+00:00", ["appointmentScenario"] = scenario,
        },
    };

    private static IReadOnlyList<Finding> Evaluate(IEnumerable<ObservedMessage> messages, Instant windowEnd) =>
        Evaluator.Evaluate(messages, [new Candidate(Supplier, "SUP", "supplier"), new Candidate(Service, "MSS", "service")],
            [new ObservationWindow("s", At("2026-01-01"), windowEnd)]);

    private static IReadOnlyList<Finding> Appointment(string scenario, string code, params string[] reasons)
    {
        var request = new ObservedMessage
        {
            Id = "r", Scenario = "s", Direction = Direction.Sent, InterfaceId = "IF-031", EventCode = "[MSApp]", Mpan = Mpan, SenderDipId = Supplier,
            MarketTime = At("2026-01-05 09:10"), CustomBlock = B070(scenario),
        };
        var answer = new ObservedMessage
        {
            Id = "a", Scenario = "s", Direction = Direction.Published, InterfaceId = "IF-032", EventCode = "[MSAppInitialResp]", Mpan = Mpan, RecipientDipId = Supplier,
            MarketTime = At("2026-01-05 09:10"), CustomBlock = B070(scenario), ResponseCode = code, ResponseMessages = reasons,
        };
        return Evaluate([request, answer], At("2026-01-06")).Where(f => f.RequirementId == "MHHS-MIG-MCA-MCS").ToList();
    }

    [TestCase("MCS", "A", null, Verdict.Passed)]
    [TestCase("MCA", "A", null, Verdict.Passed)]
    [TestCase("COS", "R", "REG9009 - MHHS scenario codes cannot be used for an unmigrated MPAN; use MCA or MCS", Verdict.Failed)]
    [TestCase("MCA", "R", "REG9005 - MCA appointment scenario can only be used by the current supplier", Verdict.Failed)]
    [TestCase("MCS", "R", "REG9006 - MCS appointment scenario cannot be used by the current supplier", Verdict.Failed)]
    [TestCase("MCS", "R", "REG9007 - MCS/MCA scenarios cannot be used for an already migrated MPAN", Verdict.Failed)]
    public void MigrationScenario_IsJudgedBySmrsAnswer(string scenario, string code, string? reason, Verdict expected)
    {
        var findings = Appointment(scenario, code, reason is null ? [] : [reason]);
        Assert.That(findings.Single().Verdict, Is.EqualTo(expected), findings.Single().Summary);
    }

    [TestCase("COS", "A")]                        // an MHHS scenario on a migrated point: not a migration
    [TestCase("MCS", "R", "REG1031 - Service provider is not qualified for the market segment of the MPAN")]
    public void AppointmentsThatSayNothingAboutMigration_AreNotJudged(string scenario, string code, params string[] reasons) =>
        Assert.That(Appointment(scenario, code, reasons), Is.Empty);

    private static ObservedMessage DeAppointment() => new()
    {
        Id = "d", Scenario = "s", Direction = Direction.Published, InterfaceId = "IF-003", EventCode = "[MSDeAppRM]", Mpan = Mpan, RecipientDipId = Service,
        MarketTime = At("2026-11-10 00:00"),
        CustomBlock = new JsonObject { ["B008"] = new JsonObject { ["meteringServiceEffectiveToDate"] = "2026-11-10T00:00:00+00:00" } },
    };

    private static ObservedMessage Update(string iface, string at) => new()
    {
        Id = "u", Scenario = "s", Direction = Direction.Sent, InterfaceId = iface, EventCode = "[MeterExchange]", Mpan = Mpan, SenderDipId = Service, MarketTime = At(at),
    };

    // De-appointed Tuesday 10 November 2026; 3 working days are watched: until Saturday 14th 00:00.
    [TestCase("2026-11-13 23:59", Verdict.NotObserved)]
    [TestCase("2026-11-14 00:00", Verdict.Passed)]
    public void ReverseMigration_SilenceIsJudgedOverTheCataloguePeriod(string windowEnd, Verdict expected) =>
        Assert.That(Evaluate([DeAppointment()], At(windowEnd)).Single(f => f.RequirementId == "MHHS-MIG-REVERSE-M14").Verdict, Is.EqualTo(expected));

    [TestCase("IF-005", "2026-11-12 10:00", Verdict.Failed)]
    [TestCase("IF-007", "2026-11-10 00:00", Verdict.Failed)]
    [TestCase("IF-005", "2026-11-09 23:59", Verdict.Passed)]    // before the de-appointment: still appointed
    public void ReverseMigration_UpdateAfterTheDeAppointment_Fails(string iface, string at, Verdict expected) =>
        Assert.That(Evaluate([DeAppointment(), Update(iface, at)], At("2026-11-20")).Single(f => f.RequirementId == "MHHS-MIG-REVERSE-M14").Verdict, Is.EqualTo(expected));
}
