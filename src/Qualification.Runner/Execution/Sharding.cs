using System.Globalization;

namespace Qualification.Runner.Execution;

/// <summary>
/// <c>--shard i/n</c>: a deterministic share of the scenarios. A scenario belongs to shard
/// (FNV-1a hash of its id mod n) + 1, so the split is the same on every machine and process and
/// does not move when other scenarios are added or removed.
/// </summary>
/// <param name="Index">1-based shard number.</param>
/// <param name="Count">Number of shards.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>Parses "i/n" (1 ≤ i ≤ n).</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && i >= 1 && i <= n)
            return new Shard(i, n);
        throw new FormatException($"--shard {text}: give i/n with 1 ≤ i ≤ n, e.g. 2/4.");
    }

    /// <summary>True when the scenario with this id runs in this shard.</summary>
    public bool Selects(string scenarioId) => (int)(ReferenceEvaluation.StableHash(scenarioId) % (ulong)Count) + 1 == Index;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
