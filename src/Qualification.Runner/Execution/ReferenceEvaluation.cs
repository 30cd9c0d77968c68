using System.Text;
using NodaTime;
using Qualification.Rules;
using Qualification.Rules.Facts;

namespace Qualification.Runner.Execution;

/// <summary>
/// The slow, obvious evaluation that <see cref="PartitionedEvaluation"/> is checked against: DIP
/// messages are grouped by MPAN on disk (pass 1 writes each line to a bucket file by MPAN hash),
/// then each bucket is read whole and every MPAN is evaluated on its own, one after the other, in
/// one thread. Sessions and windows follow the same definition (an MPAN's messages until market
/// time runs the idle window past the last one; the window ends there or at the newest market time
/// in the input, whichever is first). Run-journal records are not handled here.
/// </summary>
public static class ReferenceEvaluation
{
    private const int Buckets = 64;

    /// <summary>Evaluates; every finding is also returned through <paramref name="all"/> when given.</summary>
    public static OfflineOutcome Run(IReadOnlyList<string> files, RequirementEvaluator evaluator, OfflineSettings settings, string workDir, List<Finding>? all = null)
    {
        var outcome = new OfflineOutcome { Tally = new FindingTally(settings.EvidencePerVerdict) };
        var byId = settings.Candidates.ToDictionary(c => c.DipId, StringComparer.Ordinal);
        Directory.CreateDirectory(workDir);
        var writers = Enumerable.Range(0, Buckets).Select(i => new StreamWriter(Path.Combine(workDir, $"{i}.tsv"), false, new UTF8Encoding(false), 1 << 16)).ToArray();
        var newest = Instant.MinValue;
        try
        {
            // Pass 1: file index, line number and the line itself, into the MPAN's bucket (a JSON line holds no raw tab).
            for (var f = 0; f < files.Count; f++)
            {
                using var reader = new StreamReader(files[f]);
                long n = 0;
                while (reader.ReadLine() is { } text)
                {
                    n++;
                    outcome.Lines++;
                    if (text.Length == 0) continue;
                    var line = OfflineJournal.Parse(f, n, text);
                    if (line.Message is not { } m)
                    {
                        outcome.Problems++;
                        if (outcome.ProblemList.Count < settings.ProblemsListed) outcome.ProblemList.Add((files[f], n, line.Problem ?? "run-journal records are not handled by --reference"));
                        continue;
                    }
                    outcome.Messages++;
                    if (m.MarketTime > newest) newest = m.MarketTime;
                    var bucket = (int)((uint)StableHash(m.Mpan) % Buckets);
                    writers[bucket].Write(f);
                    writers[bucket].Write('\t');
                    writers[bucket].Write(n);
                    writers[bucket].Write('\t');
                    writers[bucket].WriteLine(text);
                }
            }
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }

        var evaluation = new PartitionedEvaluation(evaluator, settings);
        // Pass 2: one bucket at a time; each MPAN in it, one by one.
        for (var b = 0; b < Buckets; b++)
        {
            var path = Path.Combine(workDir, $"{b}.tsv");
            var byMpan = new SortedDictionary<string, List<DipLine>>(StringComparer.Ordinal);
            foreach (var text in File.ReadLines(path))
            {
                var parts = text.Split('\t', 3);
                var m = OfflineJournal.Parse(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]).Message!;
                if (!byMpan.TryGetValue(m.Mpan, out var list)) byMpan[m.Mpan] = list = [];
                list.Add(m);
            }
            File.Delete(path);
            foreach (var (mpan, messages) in byMpan)
            {
                Partition? p = null;
                foreach (var m in messages)
                {
                    if (p is not null && m.MarketTime > p.Last + settings.IdleWindow)
                    {
                        Evaluate(p, p.Last + settings.IdleWindow);
                        p = null;
                    }
                    p ??= new Partition { Scope = "", Mpan = mpan };
                    PartitionedEvaluation.Add(p, m);
                }
                if (p is not null) Evaluate(p, p.Last + settings.IdleWindow < newest ? p.Last + settings.IdleWindow : newest);
            }
        }
        Directory.Delete(workDir, true);
        return outcome;

        void Evaluate(Partition p, Instant end)
        {
            p.Scope = $"mpan:{p.Mpan}@{Domain.Market.MarketTime.ToDip(p.First)}";
            p.Window = new ObservationWindow(p.Scope, p.First, end);
            outcome.Partitions++;
            var findings = evaluation.Evaluate(p, byId);
            all?.AddRange(findings);
            outcome.Tally.Add(findings);
        }
    }

    /// <summary>FNV-1a over the UTF-8 bytes: the same on every machine and process (string.GetHashCode is not).</summary>
    public static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text)) { hash ^= b; hash *= 1099511628211UL; }
        return hash;
    }
}
