using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>
/// For each requirement, a reference participant breaks it on purpose and the run fails that
/// requirement and no other. Where one fault necessarily breaks two requirements (an invalid
/// message is also a message not sent in time), the test names both and says why.
/// </summary>
public class RequirementFaultTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("--reference-fault", "late-appointment=4.5s", "@process:supplier-agent-appointment", new[] { "REC-MO-22.6.1" })
            .SetName("Late IF-031 fails REC-MO-22.6.1 only");
        yield return new TestCaseData("--reference-fault", "efd-half-past-midnight", "@process:supplier-agent-appointment", new[] { "MHHS-APP-EFD-MIDNIGHT" })
            .SetName("Effective-from at 00:30 fails MHHS-APP-EFD-MIDNIGHT only");
        yield return new TestCaseData("--reference-fault", "ignore-reminders", "@process:supplier-agent-appointment", new[] { "MHHS-IF045-ACTION" })
            .SetName("Ignored IF-045 fails MHHS-IF045-ACTION only");
        yield return new TestCaseData("--reference-service-fault", "mtd-delay-days=4", "@process:meter-works", new[] { "REC-MO-MTD-IF005-3WD" })
            .SetName("MTDs held for 4 days fail REC-MO-MTD-IF005-3WD only");
        yield return new TestCaseData("--reference-service-fault", "no-works-readings", "@process:meter-works", new[] { "MHHS-READ-IF041-CUMULATIVE" })
            .SetName("No IF-041 after meter works fails MHHS-READ-IF041-CUMULATIVE only");
        yield return new TestCaseData("--reference-service-fault", "bad-d0268-trailer", "@process:meter-works", new[] { "REC-DTN-FLOW-VALID" })
            .SetName("D0268 with a wrong trailer count fails REC-DTN-FLOW-VALID only");
        yield return new TestCaseData("--reference-fault", "no-relationship-requests", "@process:related-metering-points", new[] { "REC-RMP-IF019" })
            .SetName("No IF-019 for a relationship fails REC-RMP-IF019 only");
        yield return new TestCaseData("--reference-fault", "migration-as-cos", "@process:migration", new[] { "MHHS-MIG-MCA-MCS" })
            .SetName("Legacy points appointed with COS or CSP fail MHHS-MIG-MCA-MCS only");
        yield return new TestCaseData("--reference-service-fault", "updates-after-reverse-migration", "@process:migration", new[] { "MHHS-MIG-REVERSE-M14" })
            .SetName("Updates after reverse migration fail MHHS-MIG-REVERSE-M14 only");
        yield return new TestCaseData("--reference-service-fault", "energisation-via-if005", "@process:change-of-energisation", new[] { "MHHS-COES-IF007" })
            .SetName("Energisation folded into IF-005 fails MHHS-COES-IF007 only");
        yield return new TestCaseData("--reference-service-fault", "ignore-appointment-requests", "@process:metering-service-appointment", new[] { "MHHS-MS-IF034-RESPOND" })
            .SetName("Unanswered IF-033 fails MHHS-MS-IF034-RESPOND only");
        yield return new TestCaseData("--reference-service-fault", "no-mtd-handover", "@process:change-of-metering-service", new[] { "REC-MO-IMS-120MIN" })
            .SetName("No D0268 to the gaining service fails REC-MO-IMS-120MIN only");
        yield return new TestCaseData("--reference-service-fault", "no-d0170", "@process:change-of-metering-service", new[] { "REC-MO-D0170-MISSINGMTD" })
            .SetName("No D0170 for missing MTDs fails REC-MO-D0170-MISSINGMTD only");
        yield return new TestCaseData("--reference-service-fault", "no-d0010", "@process:meter-works", new[] { "REC-READ-D0010-REGISTER" })
            .SetName("No D0010 after Advanced meter works fails REC-READ-D0010-REGISTER only");
        yield return new TestCaseData("--reference-fault", "no-switch-read-exception", "@process:switch-meter-reads", new[] { "REC-SCH30-10WD" })
            .SetName("No Supplier Agreed Switch Read fails REC-SCH30-10WD only");
        yield return new TestCaseData("--reference-fault", "act-on-replays", "@process:dip-message-handling", new[] { "MHHS-DIP-REPLAY" })
            .SetName("Acting again on a replayed IF-002 fails MHHS-DIP-REPLAY only");
        yield return new TestCaseData("--reference-fault", "legacy-supply-number", "@process:supply-number", new[] { "REC-R0083-SUPPLYNUMBER" })
            .SetName("A pre-R0083 Supply Number fails REC-R0083-SUPPLYNUMBER only");
        yield return new TestCaseData("--reference-fault", "ignore-rejections", "@process:supplier-agent-appointment", new[] { "REC-MO-22.6.3-REPROPOSE" })
            .SetName("Ignoring a rejected appointment fails REC-MO-22.6.3-REPROPOSE only");
        // An invalid IF-031 is refused by the DIP, so no valid request arrives in time either.
        yield return new TestCaseData("--reference-fault", "invalid-appointment-request", "@process:supplier-agent-appointment and not @req:MHHS-IF045-ACTION",
                new[] { "MHHS-DIP-IF031-VALID", "MHHS-DIP-MSG-VALID", "REC-MO-22.6.1" })
            .SetName("Schema-invalid IF-031 fails the validity requirements and 22.6.1");
        // An invalid IF-034 is refused by the DIP, so the request is not answered either.
        yield return new TestCaseData("--reference-service-fault", "invalid-appointment-response", "@process:metering-service-appointment",
                new[] { "MHHS-DIP-IF034-VALID", "MHHS-DIP-MSG-VALID", "MHHS-MS-IF034-RESPOND" })
            .SetName("Schema-invalid IF-034 fails the validity requirements and MHHS-MS-IF034-RESPOND");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Fault_FailsExactlyItsRequirements(string option, string fault, string tags, string[] expected)
    {
        var results = Qualify.TempDir("fault");
        // 1 real second = 20 market minutes: waits for missing messages stay short, and a loaded
        // machine still has 3 real seconds before a correct participant looks 60 minutes late.
        var run = await Qualify.RunAsync(["run", "--results", results, "--time-scale", "1200", "--tags", tags, option, fault]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        var failed = Qualify.Verdicts(Qualify.Summary(results)).Where(v => v.Value == "FAILED").Select(v => v.Key);
        Assert.That(failed, Is.EquivalentTo(expected), run.All);
    }

    [Test]
    public async Task WithoutFaults_TheSameSelectionsPass()
    {
        foreach (var tags in new[] { "@process:meter-works", "@process:change-of-energisation", "@process:metering-service-appointment", "@process:change-of-metering-service" })
        {
            var results = Qualify.TempDir("nofault");
            var run = await Qualify.RunAsync(["run", "--results", results, "--tags", tags]);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.All);
        }
    }
}
