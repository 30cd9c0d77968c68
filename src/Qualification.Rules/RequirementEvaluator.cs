using System.Reflection;
using NRules;
using NRules.Fluent;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules;

/// <summary>The verdict on one requirement over a whole run.</summary>
/// <param name="Requirement">The catalogue entry.</param>
/// <param name="Verdict">Overall verdict.</param>
/// <param name="Findings">Every finding behind it.</param>
/// <param name="Scenarios">Scenarios tagged with it that ran.</param>
/// <param name="Reason">One line on why (the first failure, or how it passed).</param>
public sealed record RequirementResult(Requirement Requirement, Verdict Verdict, IReadOnlyList<Finding> Findings, IReadOnlyList<string> Scenarios, string Reason);

/// <summary>
/// Runs the requirement rules (NRules) over observed facts. The rule set is compiled once per
/// process; each evaluation uses a fresh session. Time enters only as <see cref="ObservationWindow"/> facts.
/// </summary>
public sealed class RequirementEvaluator
{
    private static readonly Lazy<ISessionFactory> Factory = new(() =>
    {
        var repository = new RuleRepository();
        repository.Load(x => x.From(typeof(RequirementEvaluator).Assembly));
        var compiler = new RuleCompiler();
        // The session looks every fact up by identity. By default that is record equality, which
        // hashes every field (custom block, lists, evidence) on each insert and lookup. Messages and
        // findings are distinct objects whose value equality never holds between two of them (each
        // has its own id or its own evidence list), so reference identity gives the same sessions
        // without the hashing (a small gain, within the noise of docs/benchmarks.md's measurements).
        compiler.FactIdentityComparerRegistry.RegisterComparer<ObservedMessage>(ReferenceEqualityComparer.Instance);
        compiler.FactIdentityComparerRegistry.RegisterComparer<Finding>(ReferenceEqualityComparer.Instance);
        return compiler.Compile(repository.GetRules());
    });

    /// <summary>Every rule type and the requirement it judges.</summary>
    public static IReadOnlyDictionary<Type, string> Rules { get; } = typeof(RequirementEvaluator).Assembly.GetTypes()
        .Where(t => typeof(NRules.Fluent.Dsl.Rule).IsAssignableFrom(t) && !t.IsAbstract)
        .ToDictionary(t => t, RequirementAttribute.Of);

    /// <summary>Creates an evaluator for a catalogue.</summary>
    public RequirementEvaluator(RequirementCatalog catalog, WorkingDayCalendar calendar)
    {
        Catalog = catalog;
        Calendar = calendar;
    }

    /// <summary>The requirements judged.</summary>
    public RequirementCatalog Catalog { get; }

    /// <summary>The calendar for working-day SLAs.</summary>
    public WorkingDayCalendar Calendar { get; }

    /// <summary>Fires every rule over the facts and returns the findings. <paramref name="others"/>: further facts, e.g. from <c>Observation.SupplierFacts</c>.</summary>
    /// <param name="messages">Observed DIP messages.</param>
    /// <param name="candidates">The participants judged.</param>
    /// <param name="windows">How far market time ran per scope.</param>
    /// <param name="actions">Driver actions.</param>
    /// <param name="flows">DTN flows.</param>
    /// <param name="others">Further facts.</param>
    /// <param name="passes">
    /// Where the per-message validity requirements record valid messages; when null (or not compact)
    /// each pass is returned as a finding like any other.
    /// </param>
    public IReadOnlyList<Finding> Evaluate(IEnumerable<ObservedMessage> messages, IEnumerable<Candidate> candidates, IEnumerable<ObservationWindow> windows,
        IEnumerable<ObservedAction>? actions = null, IEnumerable<ObservedFlow>? flows = null, IEnumerable<object>? others = null, MessagePasses? passes = null)
    {
        var session = Factory.Value.CreateSession();
        session.InsertAll(Catalog.All);
        session.Insert(new CalendarFact(Calendar));
        session.Insert(passes ?? new MessagePasses(compact: false));
        session.InsertAll(candidates);
        session.InsertAll(windows);
        session.InsertAll(messages);
        if (actions is not null) session.InsertAll(actions);
        if (flows is not null) session.InsertAll(flows);
        // Further fact types (switches, meter readings, replays, bills): each is inserted as its own type.
        if (others is not null) foreach (var fact in others) session.Insert(fact);
        session.Fire();
        return session.Query<Finding>().ToList();
    }

    /// <summary>
    /// Rolls findings up per requirement. A requirement is in scope when a scenario tagged with it
    /// ran (or a finding other than NOT_OBSERVED exists) and it binds one of the candidates' roles:
    /// FAILED if any finding failed, else PASSED if any passed, else NOT_OBSERVED. Out of scope: SKIPPED.
    /// </summary>
    public IReadOnlyList<RequirementResult> Assess(IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, IReadOnlyList<string>> scenariosByRequirement, IReadOnlySet<string> candidateRoles)
    {
        var results = new List<RequirementResult>();
        foreach (var r in Catalog.All)
        {
            var scenarios = scenariosByRequirement.GetValueOrDefault(r.Id) ?? [];
            var mine = findings.Where(f => f.RequirementId == r.Id).ToList();
            var bindsCandidate = r.Roles.Count == 0 || r.Roles.Any(candidateRoles.Contains);
            if (r.Planned)
            {
                results.Add(new RequirementResult(r, Verdict.Skipped, mine, scenarios, "planned: catalogued from the source, no rule judges it yet"));
                continue;
            }
            // A requirement no executed scenario is tagged with is judged only on what was actually
            // seen: a breach anywhere counts, but "not observed" outside its own scenarios is noise.
            if (!bindsCandidate || (scenarios.Count == 0 && mine.All(f => f.Verdict == Verdict.NotObserved)))
            {
                results.Add(new RequirementResult(r, Verdict.Skipped, mine, scenarios,
                    !bindsCandidate ? $"binds {string.Join("/", r.Roles)}; no candidate has that role" : "no executed scenario is tagged with it"));
                continue;
            }
            var failed = mine.FirstOrDefault(f => f.Verdict == Verdict.Failed);
            var (verdict, reason) = failed is not null ? (Verdict.Failed, failed.Summary)
                : mine.FirstOrDefault(f => f.Verdict == Verdict.Review) is { } review ? (Verdict.Review, review.Summary)
                : mine.Any(f => f.Verdict is Verdict.Passed or Verdict.Warning) ? (mine.Any(f => f.Verdict == Verdict.Warning) ? Verdict.Warning : Verdict.Passed,
                    $"{mine.Count(f => f.Verdict == Verdict.Passed)} observation(s) passed")
                : (Verdict.NotObserved, mine.FirstOrDefault()?.Summary ?? "the behaviour was not triggered in any executed scenario");
            results.Add(new RequirementResult(r, verdict, mine, scenarios, reason));
        }
        return results;
    }
}
