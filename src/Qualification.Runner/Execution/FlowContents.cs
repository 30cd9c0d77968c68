using Qualification.Dtn.Definitions;
using Qualification.Dtn.IO;

namespace Qualification.Runner.Execution;

/// <summary>
/// What a journalled DTN flow file carries that rules need: the MPAN cores (J0003, wherever the flow's
/// layout puts them) and, for D0010, how many register readings each MPAN has (030 records with a
/// J0040 value). Read from the flow text itself, so a journal judged offline gives the same facts.
/// </summary>
public static class FlowContents
{
    /// <summary>The MPAN cores in file order, and readings per MPAN; empty when the text is missing, too large to journal, or of an unknown flow.</summary>
    public static (IReadOnlyList<string> Mpans, IReadOnlyDictionary<string, int> Readings) Read(string? flowAndVersion, string? text)
    {
        var mpans = new List<string>();
        var readings = new Dictionary<string, int>(StringComparer.Ordinal);
        if (flowAndVersion is null || text is null || !text.StartsWith("ZHV", StringComparison.Ordinal)
            || FlowCatalog.Default.Find(flowAndVersion) is not { } flow) return (mpans, readings);
        string? current = null;
        IReadOnlyList<DtnRecord> records;
        try { records = DtnReader.ReadAll(text); }
        catch (DtnReadException) { return (mpans, readings); }
        foreach (var record in records)
        {
            if (flow.Find(record.GroupId) is not { } group) continue;
            var mpanIndex = group.IndexOf("J0003");
            if (mpanIndex >= 0 && record.Text(mpanIndex) is { } mpan)
            {
                current = mpan;
                if (!mpans.Contains(mpan)) mpans.Add(mpan);
            }
            // D0010 030 Register Readings: one reading per record with a Register Reading value.
            if (flow.FlowId == "D0010" && record.GroupId == "030" && current is not null && record.Text(group.IndexOf("J0040")) is not null)
                readings[current] = readings.GetValueOrDefault(current) + 1;
        }
        return (mpans, readings);
    }
}
