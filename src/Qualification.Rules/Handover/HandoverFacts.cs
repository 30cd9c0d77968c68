using Qualification.Domain.Dip;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Handover;

/// <summary>What the change-of-metering-service rules read from published messages and DTN flows.</summary>
internal static class HandoverFacts
{
    /// <summary>The metering point's market segment (B026) as SMRS published it in the scenario, or null when no publication said.</summary>
    public static string? Segment(IEnumerable<ObservedMessage> publications) =>
        publications.Select(p => p.CustomBlock.Text("B026", "marketSegmentIndicator")).FirstOrDefault(s => s is not null);

    /// <summary>"D0268002 from REFM to GAIN at …; …" for a failure message, at most three.</summary>
    public static string List(IEnumerable<ObservedFlow> flows) =>
        string.Join("; ", flows.Take(3).Select(f => f.Describe() + (f.Valid ? "" : " (failed validation)")));

    /// <summary>Minutes, or seconds under one minute.</summary>
    public static string Minutes(NodaTime.Duration d) => d.TotalMinutes < 1 ? $"{d.TotalSeconds:0} seconds" : $"{d.TotalMinutes:0.#} minutes";
}
