using System.Threading.Channels;
using NodaTime;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Facts;

namespace Qualification.Runner.Execution;

/// <summary>Settings of an offline evaluation.</summary>
public sealed record OfflineSettings
{
    /// <summary>The candidates judged.</summary>
    public required IReadOnlyList<Candidate> Candidates { get; init; }
    /// <summary>
    /// Plain DIP messages: an MPAN's scope closes when market time has run this long past its last
    /// message (a session window). Must exceed the longest SLA so a late answer is still seen.
    /// </summary>
    public Duration IdleWindow { get; init; } = Duration.FromDays(10);
    /// <summary>Partitions evaluated at once (one NRules session each).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>
    /// Closed partitions a worker puts into one NRules session. Every rule joins on the scope, so
    /// partitions never meet in a join; a few per session spread the session's fixed cost, while
    /// many would make the scope joins (nested loops in NRules) grow with the square of the batch.
    /// </summary>
    public int PartitionsPerSession { get; init; } = 8;
    /// <summary>Findings kept per requirement and verdict for the reports (all are counted).</summary>
    public int EvidencePerVerdict { get; init; } = 20;
    /// <summary>Corrupt lines listed by number in the summary (all are counted).</summary>
    public int ProblemsListed { get; init; } = 100;
}

/// <summary>A unit of evaluation: one harness scenario, or one MPAN's session of plain DIP messages.</summary>
public sealed class Partition
{
    /// <summary>Scope name: the scenario id, or mpan:MPAN@first-market-time.</summary>
    public required string Scope { get; set; }
    /// <summary>MPAN (plain DIP messages).</summary>
    public string? Mpan { get; init; }
    /// <summary>Run-journal records of the scenario.</summary>
    public List<JournalRecord> Records { get; } = [];
    /// <summary>Plain DIP facts.</summary>
    public List<ObservedMessage> Messages { get; } = [];
    /// <summary>Sender references already counted (a message delivered to several recipients is sent once).</summary>
    public HashSet<string> SentReferences { get; } = new(StringComparer.Ordinal);
    /// <summary>First market time seen.</summary>
    public Instant First { get; set; } = Instant.MaxValue;
    /// <summary>Last market time seen.</summary>
    public Instant Last { get; set; } = Instant.MinValue;
    /// <summary>Scenario window from the start marker (run journals).</summary>
    public Instant? MarkerStart { get; set; }
    /// <summary>Scenario window end from the end marker (run journals).</summary>
    public Instant? MarkerEnd { get; set; }
    /// <summary>Scenario outcome from the end marker ("passed", "failed" …).</summary>
    public string? Outcome { get; set; }
    /// <summary>Real time of the start and end markers.</summary>
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>Real time of the end marker.</summary>
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>The observation window, set when the partition closes.</summary>
    public ObservationWindow? Window { get; set; }
    internal LinkedListNode<Partition>? Node { get; set; }
}

/// <summary>What an offline evaluation saw and concluded.</summary>
public sealed class OfflineOutcome
{
    /// <summary>Lines read (all files).</summary>
    public long Lines { get; set; }
    /// <summary>Run-journal records.</summary>
    public long Records { get; set; }
    /// <summary>Plain DIP messages.</summary>
    public long Messages { get; set; }
    /// <summary>Lines skipped (corrupt, truncated, unknown shape).</summary>
    public long Problems { get; set; }
    /// <summary>The first skipped lines: file, line, why.</summary>
    public List<(string File, long Line, string Problem)> ProblemList { get; } = [];
    /// <summary>Partitions evaluated.</summary>
    public long Partitions { get; set; }
    /// <summary>Largest number of partitions open at once.</summary>
    public int PeakOpenPartitions { get; set; }
    /// <summary>Plain messages whose market time was further than the idle window behind the newest seen (out of order).</summary>
    public long LateMessages { get; set; }
    /// <summary>Scenarios that started (run journals).</summary>
    public List<Partition> Scenarios { get; } = [];
    /// <summary>Scenarios with a start marker but no end marker (the run was interrupted).</summary>
    public List<string> UnfinishedScenarios { get; } = [];
    /// <summary>Run-journal records kept for the Allure attachments (bounded).</summary>
    public List<JournalRecord> KeptRecords { get; } = [];
    /// <summary>True when kept records were dropped because the journal is large.</summary>
    public bool RecordsTruncated { get; set; }
    /// <summary>The findings, tallied.</summary>
    public required FindingTally Tally { get; init; }
    /// <summary>Time spent parsing lines, summed over threads (Stopwatch ticks).</summary>
    public long ParseTicks;
    /// <summary>Time spent in NRules sessions, summed over threads (Stopwatch ticks).</summary>
    public long EvaluateTicks;
}

/// <summary>
/// Streams journals, partitions them (run journals by scenario, plain DIP messages by MPAN session),
/// and evaluates closed partitions in parallel, each in its own NRules session. Memory holds only
/// open partitions, a bounded queue of parsed batches and of closed partitions, and a bounded
/// sample of findings.
/// </summary>
public sealed class PartitionedEvaluation(RequirementEvaluator evaluator, OfflineSettings settings)
{
    private const int BatchLines = 1000;
    private const int KeptRecordLimit = 100_000;

    /// <summary>Evaluates <paramref name="files"/> in order.</summary>
    public async Task<OfflineOutcome> RunAsync(IReadOnlyList<string> files, CancellationToken cancellation)
    {
        // A throughput job with a large live heap (the open partitions): background (concurrent)
        // collections cost more CPU than they save in pauses here. Measured on 1M messages: a quarter
        // less CPU and a quarter of the gen-0/1 collections (docs/benchmarks.md). Restored afterwards.
        var latency = System.Runtime.GCSettings.LatencyMode;
        if (latency == System.Runtime.GCLatencyMode.Interactive) System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
        try { return await RunBatchAsync(files, cancellation); }
        finally { if (latency == System.Runtime.GCLatencyMode.Interactive) System.Runtime.GCSettings.LatencyMode = latency; }
    }

    private async Task<OfflineOutcome> RunBatchAsync(IReadOnlyList<string> files, CancellationToken cancellation)
    {
        var outcome = new OfflineOutcome { Tally = new FindingTally(settings.EvidencePerVerdict) };
        var workers = Math.Max(1, settings.Workers);
        // A fault in any stage stops the others: nobody is left waiting on a full or empty channel.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        cancellation = stop.Token;
        // Parsing runs ahead in parallel batches; their order is kept by queueing the tasks themselves.
        // Lines stay UTF-8 bytes in pooled buffers (no string per line): the channel's bound also bounds the buffers.
        var parsed = Channel.CreateBounded<Task<OfflineLine[]>>(new BoundedChannelOptions(workers * 2 + 2) { SingleReader = true, SingleWriter = true });
        var closed = Channel.CreateBounded<Partition>(new BoundedChannelOptions(workers * 16) { SingleWriter = true });
        var byId = settings.Candidates.ToDictionary(c => c.DipId, StringComparer.Ordinal);

        var reader = Task.Run(async () =>
        {
            try
            {
                for (var f = 0; f < files.Count; f++)
                {
                    long first = 1;
                    await foreach (var batch in Utf8LineBatches.ReadAsync(files[f], BatchLines, cancellation))
                    {
                        var count = batch.Count;
                        await parsed.Writer.WriteAsync(ParseAsync(f, first, batch, outcome), cancellation);
                        first += count;
                    }
                }
                parsed.Writer.Complete();
            }
            catch (Exception e)
            {
                parsed.Writer.TryComplete(e);
                await stop.CancelAsync();
            }
        }, cancellation);

        var evaluators = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Work();
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, cancellation)).ToList();

        async Task Work()
        {
            await foreach (var p in closed.Reader.ReadAllAsync(cancellation))
            {
                var batch = new List<Partition> { p };
                while (batch.Count < settings.PartitionsPerSession && closed.Reader.TryRead(out var more)) batch.Add(more);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                // Compact: valid messages come back as passes, not as one finding each (the tally counts
                // them and turns into findings only those that enter its sample).
                var passes = new MessagePasses(compact: true);
                var findings = Evaluate(batch, byId, passes);
                Interlocked.Add(ref outcome.EvaluateTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                // One scope per partition: the tally counts scopes per Add.
                var byScope = passes.Passes.ToLookup(x => x.Message.Scenario, StringComparer.Ordinal);
                foreach (var scope in findings.GroupBy(f => f.Scenario, StringComparer.Ordinal)) outcome.Tally.Add(scope.ToList(), byScope[scope.Key].ToList());
                // Scopes whose only findings are passes.
                var withFindings = findings.Select(f => f.Scenario).ToHashSet(StringComparer.Ordinal);
                foreach (var scope in byScope) if (!withFindings.Contains(scope.Key)) outcome.Tally.Add([], scope.ToList());
            }
        }

        try
        {
            await PartitionAsync(files, parsed.Reader, closed.Writer, outcome, cancellation);
            closed.Writer.Complete();
        }
        catch (Exception e)
        {
            closed.Writer.TryComplete(e);
            await stop.CancelAsync();
            // A worker's own fault explains the stop better than the cancellation seen here.
            try { await Task.WhenAll(evaluators.Append(reader)); }
            catch (Exception inner) when (inner is not OperationCanceledException) { throw; }
            catch (OperationCanceledException) { }
            throw;
        }
        await Task.WhenAll(evaluators.Append(reader));
        return outcome;
    }

    private static Task<OfflineLine[]> ParseAsync(int file, long first, Utf8LineBatch lines, OfflineOutcome outcome) => Task.Run(() =>
    {
        using var owned = lines;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = new OfflineLine[lines.Count];
        for (var i = 0; i < lines.Count; i++)
            result[i] = lines[i].Length == 0 ? new OfflineLine { File = file, Line = first + i, Problem = "" } : OfflineJournal.Parse(file, first + i, lines[i]);
        Interlocked.Add(ref outcome.ParseTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        return result;
    });

    private async Task PartitionAsync(IReadOnlyList<string> files, ChannelReader<Task<OfflineLine[]>> parsed, ChannelWriter<Partition> closed, OfflineOutcome outcome,
        CancellationToken cancellation)
    {
        var scenarios = new Dictionary<string, Partition>(StringComparer.Ordinal);
        var mpans = new Dictionary<string, Partition>(StringComparer.Ordinal);
        // Open MPAN sessions, least recently active first: closing is O(1) per message for time-ordered input.
        var activity = new LinkedList<Partition>();
        var watermark = Instant.MinValue;

        async ValueTask Close(Partition p, Instant end)
        {
            mpans.Remove(p.Mpan!);
            activity.Remove(p.Node!);
            p.Node = null;
            p.Scope = $"mpan:{p.Mpan}@{MarketTime.ToDip(p.First)}";
            p.Window = new ObservationWindow(p.Scope, p.First, end);
            outcome.Partitions++;
            await closed.WriteAsync(p, cancellation);
        }

        await foreach (var batchTask in parsed.ReadAllAsync(cancellation))
        {
            foreach (var line in await batchTask)
            {
                outcome.Lines++;
                if (line.Problem is not null)
                {
                    if (line.Problem.Length == 0) continue; // an empty line
                    outcome.Problems++;
                    if (outcome.ProblemList.Count < settings.ProblemsListed) outcome.ProblemList.Add((files[line.File], line.Line, line.Problem));
                    continue;
                }
                if (line.Record is { } r)
                {
                    outcome.Records++;
                    var key = r.Scenario ?? "";
                    if (!scenarios.TryGetValue(key, out var p))
                    {
                        scenarios[key] = p = new Partition { Scope = key };
                        if (key.Length > 0) outcome.Scenarios.Add(p);
                    }
                    var time = MarketTime.ParseDip(r.MarketTime)?.ToInstant();
                    if (time is { } t) { if (t < p.First) p.First = t; if (t > p.Last) p.Last = t; }
                    if (r.Kind == JournalKind.Marker && r.Note == "scenario started") { p.MarkerStart = time; p.StartedAt = r.At; }
                    if (r.Kind == JournalKind.Marker && r.Note?.StartsWith("scenario ended", StringComparison.Ordinal) == true && key.Length > 0)
                    {
                        p.MarkerEnd = time;
                        p.EndedAt = r.At;
                        p.Outcome = r.Note.Split(':', 2) is [_, var o] ? o.Trim() : null;
                        p.Window = new ObservationWindow(key, p.MarkerStart ?? p.First, time ?? p.Last);
                        scenarios.Remove(key);
                        outcome.Partitions++;
                        await closed.WriteAsync(p, cancellation);
                        continue;
                    }
                    p.Records.Add(r);
                    if (outcome.KeptRecords.Count < KeptRecordLimit) outcome.KeptRecords.Add(r);
                    else outcome.RecordsTruncated = true;
                }
                else if (line.Message is { } m)
                {
                    outcome.Messages++;
                    if (m.MarketTime > watermark) watermark = m.MarketTime;
                    else if (m.MarketTime + settings.IdleWindow < watermark) outcome.LateMessages++;
                    if (mpans.TryGetValue(m.Mpan, out var p) && m.MarketTime > p.Last + settings.IdleWindow)
                    {
                        await Close(p, p.Last + settings.IdleWindow);
                        p = null;
                    }
                    if (p is null)
                    {
                        p = new Partition { Scope = "", Mpan = m.Mpan };
                        mpans[m.Mpan] = p;
                        p.Node = activity.AddLast(p);
                        if (mpans.Count > outcome.PeakOpenPartitions) outcome.PeakOpenPartitions = mpans.Count;
                    }
                    else
                    {
                        activity.Remove(p.Node!);
                        activity.AddLast(p.Node!);
                    }
                    Add(p, m);
                    while (activity.First is { } head && head.Value.Last + settings.IdleWindow < watermark)
                        await Close(head.Value, head.Value.Last + settings.IdleWindow);
                }
            }
        }
        // End of input: what is still open is observed until the newest market time seen.
        while (activity.First is { } head) await Close(head.Value, Min(watermark, head.Value.Last + settings.IdleWindow));
        foreach (var p in scenarios.Values)
        {
            if (p.Scope.Length > 0)
            {
                outcome.UnfinishedScenarios.Add(p.Scope);
                p.Window = new ObservationWindow(p.Scope, p.MarkerStart ?? p.First, p.Last);
            }
            outcome.Partitions++;
            await closed.WriteAsync(p, cancellation);
        }
    }

    /// <summary>Adds a plain message to its MPAN session (shared with the per-MPAN reference evaluation).</summary>
    public static void Add(Partition p, DipLine m)
    {
        if (m.MarketTime < p.First) p.First = m.MarketTime;
        if (m.MarketTime > p.Last) p.Last = m.MarketTime;
        if (m.SenderUniqueReference is null || p.SentReferences.Add(m.SenderUniqueReference)) p.Messages.Add(m.Sent);
        if (m.Published is not null) p.Messages.Add(m.Published);
    }

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;

    /// <summary>Evaluates one closed partition in its own NRules session.</summary>
    public IReadOnlyList<Finding> Evaluate(Partition p, IReadOnlyDictionary<string, Candidate> candidates) => Evaluate([p], candidates);

    /// <summary>Evaluates closed partitions (distinct scopes) together in one NRules session.</summary>
    public IReadOnlyList<Finding> Evaluate(IReadOnlyList<Partition> partitions, IReadOnlyDictionary<string, Candidate> candidates) => Evaluate(partitions, candidates, null);

    /// <summary>
    /// As <see cref="Evaluate(IReadOnlyList{Partition}, IReadOnlyDictionary{string, Candidate})"/>; with a compact
    /// <paramref name="passes"/>, valid messages of the per-message validity requirements are recorded there instead of returned as findings.
    /// </summary>
    public IReadOnlyList<Finding> Evaluate(IReadOnlyList<Partition> partitions, IReadOnlyDictionary<string, Candidate> candidates, MessagePasses? passes)
    {
        var windows = new List<ObservationWindow>();
        var facts = new List<ObservedMessage>();
        var actions = new List<ObservedAction>();
        var flows = new List<ObservedFlow>();
        var others = new List<object>();
        var harnessRun = false;
        foreach (var p in partitions)
        {
            if (p.Window is not null) windows.Add(p.Window);
            if (p.Mpan is null)
            {
                // A harness scenario: the journal's own observation code, unchanged.
                harnessRun = true;
                facts.AddRange(Observation.Facts(p.Records));
                actions.AddRange(Observation.Actions(p.Records));
                flows.AddRange(Observation.Flows(p.Records));
                others.AddRange(Observation.SupplierFacts(p.Records));
            }
            else
            {
                // Every rule binds a sent message to a candidate sender and a published one to a candidate
                // recipient, so the other facts can never take part: leave them out of the session.
                foreach (var m in p.Messages)
                    if (candidates.ContainsKey((m.Direction == Direction.Sent ? m.SenderDipId : m.RecipientDipId) ?? ""))
                        facts.Add(m with { Scenario = p.Scope });
            }
        }
        // Only the candidates these messages name: NRules joins cost facts × candidates (stack.md §2).
        var named = harnessRun ? candidates.Values.ToList()
            : facts.SelectMany(f => new[] { f.SenderDipId, f.RecipientDipId }).OfType<string>().Distinct(StringComparer.Ordinal)
                .Select(id => candidates.GetValueOrDefault(id)).OfType<Candidate>().ToList();
        return named.Count == 0 ? [] : evaluator.Evaluate(facts, named, windows, actions, flows, others, passes);
    }
}

/// <summary>
/// Findings rolled up per requirement without keeping them all: counts by verdict, the scopes
/// (bounded list plus a count), and the first findings of each verdict in a canonical order
/// (market time, scope, MPAN, evidence id), so the result does not depend on which worker ran first.
/// </summary>
public sealed class FindingTally(int perVerdict)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public readonly long[] Counts = new long[Enum.GetValues<Verdict>().Length];
        public readonly SortedSet<Finding>[] Samples = Enum.GetValues<Verdict>().Select(_ => new SortedSet<Finding>(Canonical)).ToArray();
        public readonly SortedSet<string> Scopes = new(StringComparer.Ordinal);
        public long ScopeCount;
    }

    /// <summary>The canonical order of findings.</summary>
    public static IComparer<Finding> Canonical { get; } = Comparer<Finding>.Create((a, b) =>
    {
        var c = (a.Evidence.Count == 0 ? Instant.MinValue : a.Evidence[0].MarketTime).CompareTo(b.Evidence.Count == 0 ? Instant.MinValue : b.Evidence[0].MarketTime);
        if (c == 0) c = string.CompareOrdinal(a.Scenario, b.Scenario);
        if (c == 0) c = string.CompareOrdinal(a.Mpan, b.Mpan);
        if (c == 0) c = string.CompareOrdinal(a.Evidence.Count == 0 ? "" : a.Evidence[0].MessageId, b.Evidence.Count == 0 ? "" : b.Evidence[0].MessageId);
        if (c == 0) c = string.CompareOrdinal(a.RequirementId, b.RequirementId);
        if (c == 0) c = string.CompareOrdinal(a.Summary, b.Summary);
        return c;
    });

    /// <summary>Scopes listed per requirement (all are counted).</summary>
    public int ScopesListed { get; init; } = 200;

    /// <summary>Adds one partition's findings.</summary>
    public void Add(IReadOnlyList<Finding> findings) => Add(findings, []);

    /// <summary>
    /// Adds one partition's findings and its recorded validity passes (<see cref="MessagePasses"/>).
    /// A pass counts exactly as its finding would; the finding is built only when it enters the sample.
    /// </summary>
    public void Add(IReadOnlyList<Finding> findings, IReadOnlyList<(string RequirementId, ObservedMessage Message)> passes)
    {
        if (findings.Count == 0 && passes.Count == 0) return;
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (requirementId, message) in passes)
            {
                if (!_entries.TryGetValue(requirementId, out var e)) _entries[requirementId] = e = new Entry();
                e.Counts[(int)Verdict.Passed]++;
                var sample = e.Samples[(int)Verdict.Passed];
                // The canonical order starts with the evidence's market time: a later message cannot enter a full sample.
                if (sample.Count < perVerdict || message.MarketTime <= (sample.Max!.Evidence.Count == 0 ? Instant.MinValue : sample.Max.Evidence[0].MarketTime))
                {
                    var f = MessagePasses.ToFinding(requirementId, message);
                    if (sample.Count < perVerdict || Canonical.Compare(f, sample.Max!) < 0)
                    {
                        sample.Add(f);
                        if (sample.Count > perVerdict) sample.Remove(sample.Max!);
                    }
                }
                if (seen.Add(requirementId))
                {
                    e.ScopeCount++;
                    e.Scopes.Add(message.Scenario);
                    if (e.Scopes.Count > ScopesListed) e.Scopes.Remove(e.Scopes.Max!);
                }
            }
            foreach (var f in findings)
            {
                if (!_entries.TryGetValue(f.RequirementId, out var e)) _entries[f.RequirementId] = e = new Entry();
                e.Counts[(int)f.Verdict]++;
                var sample = e.Samples[(int)f.Verdict];
                // Most findings sort after a full sample's last: one comparison instead of an insert and a removal.
                if (sample.Count < perVerdict || Canonical.Compare(f, sample.Max!) < 0)
                {
                    sample.Add(f);
                    if (sample.Count > perVerdict) sample.Remove(sample.Max!);
                }
                // A partition's findings arrive together and a partition is one scope: count it once.
                if (seen.Add(f.RequirementId))
                {
                    e.ScopeCount++;
                    e.Scopes.Add(f.Scenario);
                    if (e.Scopes.Count > ScopesListed) e.Scopes.Remove(e.Scopes.Max!);
                }
            }
        }
    }

    /// <summary>Findings of <paramref name="requirementId"/> by verdict.</summary>
    public IReadOnlyDictionary<Verdict, long> Counts(string requirementId) =>
        _entries.TryGetValue(requirementId, out var e) ? Enum.GetValues<Verdict>().Where(v => e.Counts[(int)v] > 0).ToDictionary(v => v, v => e.Counts[(int)v]) : new Dictionary<Verdict, long>();

    /// <summary>The kept findings (every verdict present in the full set is represented, so verdicts roll up as from all findings).</summary>
    public IReadOnlyList<Finding> Sample() => _entries.Values.SelectMany(e => e.Samples.SelectMany(s => s)).OrderBy(f => f, Canonical).ToList();

    /// <summary>Scopes with findings, per requirement (bounded).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Scopes() => _entries.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Scopes.ToList());

    /// <summary>Number of scopes with findings for <paramref name="requirementId"/> .</summary>
    public long ScopeCount(string requirementId) => _entries.TryGetValue(requirementId, out var e) ? e.ScopeCount : 0;
}
