using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Runner.Execution;
using Qualification.Tests.Support;

namespace Qualification.Tests.Scale;

/// <summary>
/// The offline evaluation records the per-message validity passes compactly (no finding per valid
/// message); what it reports must be what one finding per pass would have given.
/// </summary>
public class CompactPassesTests
{
    private static readonly RequirementEvaluator Evaluator = new(
        RequirementCatalog.Load(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml")), WorkingDayCalendar.Default);

    private const string Supplier = "2300000012";

    private static ObservedMessage Sent(string id, bool valid) => new()
    {
        Id = id, Scenario = "mpan:2000056535971", Direction = Direction.Sent, InterfaceId = "IF-031", EventCode = "[MSApp]", Mpan = "2000056535971",
        SenderDipId = Supplier, SenderRole = "SUP", MarketTime = Instant.FromUtc(2026, 1, 5, 9, 0), SchemaValid = valid,
        Violations = valid ? [] : ["$.payload.CommonBlock.S0: required"],
    };

    [Test]
    public void A_compact_evaluation_records_a_valid_message_as_a_pass_and_an_invalid_one_as_a_failure()
    {
        var candidates = new[] { new Candidate(Supplier, "SUP", "supplier") };
        var windows = new[] { new ObservationWindow("mpan:2000056535971", Instant.FromUtc(2026, 1, 5, 0, 0), Instant.FromUtc(2026, 1, 6, 0, 0)) };
        var messages = new[] { Sent("L1", valid: true), Sent("L2", valid: false) };
        var validity = new[] { "MHHS-DIP-MSG-VALID", "MHHS-DIP-IF031-VALID" };

        var detailed = Evaluator.Evaluate(messages, candidates, windows).Where(f => validity.Contains(f.RequirementId)).ToList();
        var passes = new MessagePasses(compact: true);
        var compact = Evaluator.Evaluate(messages, candidates, windows, passes: passes).Where(f => validity.Contains(f.RequirementId)).ToList();

        Assert.That(detailed.Count(f => f.Verdict == Verdict.Passed), Is.EqualTo(2), "one pass per validity requirement for L1");
        Assert.That(compact.Where(f => f.Verdict == Verdict.Passed), Is.Empty);
        Assert.That(passes.Passes.Select(p => (p.RequirementId, p.Message.Id)).Order(), Is.EqualTo(new[] { ("MHHS-DIP-IF031-VALID", "L1"), ("MHHS-DIP-MSG-VALID", "L1") }));
        // The failures are findings either way, and equal.
        Assert.That(compact.Select(Describe), Is.EquivalentTo(detailed.Where(f => f.Verdict == Verdict.Failed).Select(Describe)));
        Assert.That(compact, Has.Count.EqualTo(2).And.All.Matches<Finding>(f => f.Verdict == Verdict.Failed));
        // A recorded pass stands for the very finding a detailed evaluation makes.
        Assert.That(passes.Passes.Select(p => Describe(MessagePasses.ToFinding(p.RequirementId, p.Message))),
            Is.EquivalentTo(detailed.Where(f => f.Verdict == Verdict.Passed).Select(Describe)));
    }

    [Test]
    public async Task The_streamed_tally_equals_a_tally_of_every_finding_one_by_one()
    {
        var dir = Qualify.TempDir("compact-passes");
        var journal = Path.Combine(dir, "journal.jsonl");
        JournalGenerator.Write(journal, 6000, 600, seed: 11);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        OfflineJournal.ScanSenders(journal, senders);
        var settings = new OfflineSettings { Candidates = OfflineJournal.InferCandidates(senders), IdleWindow = Duration.FromDays(1), EvidencePerVerdict = 5 };

        var streamed = await new PartitionedEvaluation(Evaluator, settings).RunAsync([journal], CancellationToken.None);
        var all = new List<Finding>();
        ReferenceEvaluation.Run([journal], Evaluator, settings, Path.Combine(dir, "buckets"), all);
        var expected = new FindingTally(settings.EvidencePerVerdict);
        foreach (var scope in all.GroupBy(f => f.Scenario, StringComparer.Ordinal)) expected.Add(scope.ToList());

        var validity = new[] { "MHHS-DIP-MSG-VALID", "MHHS-DIP-IF031-VALID", "MHHS-DIP-IF034-VALID" };
        Assert.That(validity.Select(id => expected.Counts(id).GetValueOrDefault(Verdict.Passed)), Is.All.GreaterThan(0), "the journal exercises the three validity requirements");
        foreach (var r in Evaluator.Catalog.All)
        {
            Assert.That(streamed.Tally.Counts(r.Id), Is.EqualTo(expected.Counts(r.Id)), r.Id);
            Assert.That(streamed.Tally.ScopeCount(r.Id), Is.EqualTo(expected.ScopeCount(r.Id)), r.Id);
        }
        Assert.That(streamed.Tally.Scopes(), Is.EqualTo(expected.Scopes()));
        Assert.That(streamed.Tally.Sample().Select(Describe), Is.EqualTo(expected.Sample().Select(Describe)));
    }

    private static string Describe(Finding f) =>
        $"{f.RequirementId} {f.Verdict} {f.Scenario} {f.Mpan} {f.Summary} [{string.Join(", ", f.Evidence.Select(e => $"{e.MessageId} {e.Description} {e.MarketTime}"))}]";
}
