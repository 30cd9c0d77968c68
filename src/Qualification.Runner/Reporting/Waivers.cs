using System.Globalization;
using Qualification.Runner.Composition;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Qualification.Runner.Reporting;

/// <summary>
/// An accepted, time-limited exception for one requirement. A waived failure is reported as
/// WAIVED everywhere, never counts as passed, and does not fail the gate until it expires.
/// </summary>
/// <param name="RequirementId">The requirement waived.</param>
/// <param name="Reason">Why it is accepted (who agreed, the ticket).</param>
/// <param name="Expires">Last day (UTC) on which the waiver applies.</param>
public sealed record Waiver(string RequirementId, string Reason, DateOnly Expires)
{
    /// <summary>True when the waiver still applies on <paramref name="today"/>.</summary>
    public bool ActiveOn(DateOnly today) => today <= Expires;
}

/// <summary>Reads a waiver file (YAML, see README "Waivers").</summary>
public static class WaiverFile
{
    private sealed class Document
    {
        public List<Entry>? Waivers { get; set; }
    }

    private sealed class Entry
    {
        public string? Requirement { get; set; }
        public string? Reason { get; set; }
        public string? Expires { get; set; }
    }

    /// <summary>
    /// Loads waivers; returns the ones active on <paramref name="today"/> and a warning for each
    /// expired one. Malformed files throw <see cref="InputException"/> naming the entry.
    /// </summary>
    public static (IReadOnlyList<Waiver> Active, IReadOnlyList<string> Warnings) Load(string path, DateOnly today)
    {
        Document? doc;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
            doc = deserializer.Deserialize<Document>(File.ReadAllText(path));
        }
        catch (IOException e) { throw new InputException($"--waivers {path}: {e.Message}"); }
        catch (YamlException e) { throw new InputException($"--waivers {path}:{e.Start.Line}: {e.Message}. Expected: waivers: [ {{ requirement: ID, reason: TEXT, expires: YYYY-MM-DD }} ]"); }
        var active = new List<Waiver>();
        var warnings = new List<string>();
        var n = 0;
        foreach (var e in doc?.Waivers ?? [])
        {
            n++;
            if (string.IsNullOrWhiteSpace(e.Requirement) || string.IsNullOrWhiteSpace(e.Reason) || string.IsNullOrWhiteSpace(e.Expires))
                throw new InputException($"--waivers {path}: waiver {n} needs requirement, reason and expires (YYYY-MM-DD).");
            if (!DateOnly.TryParseExact(e.Expires.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires))
                throw new InputException($"--waivers {path}: waiver {n} ({e.Requirement}): expires '{e.Expires}' is not a date YYYY-MM-DD.");
            var waiver = new Waiver(e.Requirement.Trim(), e.Reason.Trim(), expires);
            if (waiver.ActiveOn(today)) active.Add(waiver);
            else warnings.Add($"waiver for {waiver.RequirementId} expired on {expires:yyyy-MM-dd}; ignored (\"{waiver.Reason}\")");
        }
        return (active, warnings);
    }
}
