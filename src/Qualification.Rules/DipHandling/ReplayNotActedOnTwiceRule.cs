using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.DipHandling;

/// <summary>
/// REC deck "DIP message handling": the DIP may deliver a publication again as a replay (same
/// transaction id, replayIndicator true). A supplier that already acted on the IF-002 must not act
/// again (no second IF-031 [MSApp] for the registration); one that never received the original (it
/// was unreachable) acts on the replay once. The catalogue's sla is how long the harness watches after
/// the replay; how quickly the supplier acts is REC-MO-22.6.1's to judge, not this rule's.
/// </summary>
[Requirement("MHHS-DIP-REPLAY")]
[Name("A replayed IF-002 is acted on at most once")]
public sealed class ReplayNotActedOnTwiceRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedReplay replay = null!;
        Candidate supplier = null!;
        ObservationWindow window = null!;
        IEnumerable<ObservedMessage> requests = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-DIP-REPLAY")
            .Match(() => replay, r => r.InterfaceId == "IF-002" && r.EventCode == "[GainMPANInfo]")
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == replay.RecipientDipId)
            .Match(() => window, w => w.Scenario == replay.Scenario)
            .Query(() => requests, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]" && m.SchemaValid,
                    m => m.Scenario == replay.Scenario && m.Mpan == replay.Mpan && m.SenderDipId == supplier.DipId)
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(Judge(requirement, replay, requests, window)));
    }

    /// <summary>The judgement, public so its cases can be tested without a rule session.</summary>
    public static Finding Judge(Requirement requirement, ObservedReplay replay, IEnumerable<ObservedMessage> requests, ObservationWindow window)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{requirement.Id} needs an 'sla' in the catalogue (how long to watch for a reaction to the replay).");
        var watchedUntil = replay.MarketTime + (sla.Elapsed ?? throw new InvalidOperationException($"{requirement.Id}: give the sla as a duration (e.g. PT60M)."));
        var ordered = requests.OrderBy(r => r.MarketTime).ToList();
        var evidence = new List<EvidenceItem>();
        if (replay.OriginalId is { } originalId) evidence.Add(new EvidenceItem(originalId, $"original: {replay.InterfaceId} {replay.EventCode} delivered to {replay.RecipientDipId} (transaction {replay.TransactionId})", replay.OriginalTime!.Value));
        evidence.Add(new EvidenceItem(replay.Id, replay.Describe(), replay.MarketTime));
        evidence.AddRange(ordered.Select(r => new EvidenceItem(r.Id, "request: " + r.Describe(), r.MarketTime)));
        Finding Result(Verdict verdict, string summary) => new(requirement.Id, verdict, replay.Scenario, replay.Mpan, summary, evidence);

        var afterReplay = ordered.Where(r => r.MarketTime >= replay.MarketTime).ToList();
        if (replay.OriginalDelivered)
        {
            if (afterReplay.Count > 0)
                return Result(Verdict.Failed, $"{replay.RecipientDipId} acted on the replay of transaction {replay.TransactionId} it had already received: " +
                    $"{ordered.Count} IF-031 [MSApp] for {replay.Mpan}, the last at {MarketTime.ToDip(afterReplay[^1].MarketTime)} after the replay at {MarketTime.ToDip(replay.MarketTime)}");
            return window.End >= watchedUntil
                ? Result(Verdict.Passed, $"{replay.RecipientDipId} did not act again on the replay of transaction {replay.TransactionId} ({ordered.Count} IF-031 [MSApp] in all, none in the {sla.Describe()} after the replay)")
                : Result(Verdict.NotObserved, $"observation ended at {MarketTime.ToDip(window.End)}, before {sla.Describe()} had passed since the replay at {MarketTime.ToDip(replay.MarketTime)}");
        }
        // The original never reached the recipient: the replay is the first it hears of the switch.
        if (afterReplay.Count > 1)
            return Result(Verdict.Failed, $"{replay.RecipientDipId} acted {afterReplay.Count} times on one replayed IF-002 (transaction {replay.TransactionId}) for {replay.Mpan}");
        if (afterReplay.Count == 1)
            return Result(Verdict.Passed, $"{replay.RecipientDipId} acted once on the replay of an IF-002 it had never received: IF-031 [MSApp] {(afterReplay[0].MarketTime - replay.MarketTime).TotalMinutes:0.#} minutes after it");
        return window.End >= watchedUntil
            ? Result(Verdict.Failed, $"{replay.RecipientDipId} ignored the replay of an IF-002 it had never received (transaction {replay.TransactionId}): no IF-031 [MSApp] for {replay.Mpan} within {sla.Describe()}")
            : Result(Verdict.NotObserved, $"no IF-031 yet; observation ended at {MarketTime.ToDip(window.End)}, before {sla.Describe()} had passed since the replay");
    }
}
