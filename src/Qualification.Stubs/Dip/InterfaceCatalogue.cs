using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Qualification.Stubs.Dip;

/// <summary>
/// Who may send and who receives each DIP interface, read at start-up from the interface catalogue
/// (data/dip-api/dip-interface-catalogue.json, a third-party rebuild of DES138). The catalogue
/// names parties in prose ("Metering Service Smart (MSS) &amp; Metering Service Advanced (MSA)");
/// this class turns the prose into DIP role ids. Where it names no recognisable role ("Not
/// verified", "Central Settlements (ISD)") the interface has no sender rule, so nothing is refused
/// on a guess.
/// </summary>
public sealed partial class InterfaceCatalogue
{
    private static readonly string[] MeteringServices = ["MSS", "MSA", "UMSO"];
    private static readonly string[] DataServices = ["SDS", "ADS", "UMSDS"];
    private readonly Dictionary<string, (IReadOnlySet<string>? Senders, IReadOnlySet<string>? Receivers, string Name)> _byInterface = new(StringComparer.Ordinal);

    private InterfaceCatalogue(JsonObject root, string source)
    {
        Source = source;
        Version = root["_catalogueMeta"]?["version"]?.GetValue<string>() ?? "unknown";
        var interfaces = root["interfaces"] as JsonArray ?? throw new FormatException($"{source}: no 'interfaces' array; is this the DIP interface catalogue?");
        foreach (var entry in interfaces.OfType<JsonObject>())
        {
            var id = entry["id"]?.GetValue<string>()?.Split('/')[0].Trim();
            if (string.IsNullOrEmpty(id)) continue;
            _byInterface[id] = (Roles(entry["sender"]?.GetValue<string>()), Roles(entry["receiver"]?.GetValue<string>()), entry["name"]?.GetValue<string>() ?? id);
        }
    }

    /// <summary>Where the catalogue was read from.</summary>
    public string Source { get; }

    /// <summary>Catalogue version (e.g. v5.8.8).</summary>
    public string Version { get; }

    /// <summary>Interfaces the catalogue describes.</summary>
    public IEnumerable<string> Interfaces => _byInterface.Keys;

    /// <summary>The catalogue shipped inside the harness.</summary>
    public static InterfaceCatalogue Embedded { get; } = LoadEmbedded();

    private static InterfaceCatalogue LoadEmbedded()
    {
        using var stream = typeof(InterfaceCatalogue).Assembly.GetManifestResourceStream("dip-interface-catalogue.json")
            ?? throw new InvalidOperationException("The DIP interface catalogue is missing from the build.");
        return new InterfaceCatalogue((JsonObject)JsonNode.Parse(stream)!, "data/dip-api/dip-interface-catalogue.json");
    }

    /// <summary>Loads a catalogue file.</summary>
    public static InterfaceCatalogue Load(string path)
    {
        using var stream = File.OpenRead(path);
        return new InterfaceCatalogue(JsonNode.Parse(stream) as JsonObject ?? throw new FormatException($"{path}: not a JSON object"), path);
    }

    /// <summary>DIP roles that may send <paramref name="interfaceId"/>; null when the catalogue gives no usable rule.</summary>
    public IReadOnlySet<string>? Senders(string interfaceId) => _byInterface.TryGetValue(interfaceId, out var e) ? e.Senders : null;

    /// <summary>DIP roles that receive <paramref name="interfaceId"/>; null when unknown.</summary>
    public IReadOnlySet<string>? Receivers(string interfaceId) => _byInterface.TryGetValue(interfaceId, out var e) ? e.Receivers : null;

    /// <summary>The interface's name in the catalogue.</summary>
    public string? Name(string interfaceId) => _byInterface.TryGetValue(interfaceId, out var e) ? e.Name : null;

    /// <summary>Turns the catalogue's prose for a party list into DIP role ids.</summary>
    internal static IReadOnlySet<string>? Roles(string? prose)
    {
        if (string.IsNullOrWhiteSpace(prose)) return null;
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in RoleCode().Matches(prose)) roles.Add(m.Value);
        if (RegistrationService().IsMatch(prose)) roles.Add("REGS");
        if (MarketwideDataService().IsMatch(prose)) roles.Add("MDS");
        if (LoadShapingService().IsMatch(prose)) roles.Add("LSS");
        if (MeterDataRetriever().IsMatch(prose)) roles.Add("MDR");
        if (DataCommunicationsCompany().IsMatch(prose)) roles.Add("DCC");
        if (SupplierWord().IsMatch(prose)) roles.Add("SUP");
        // "Metering Service" / "MS" and "Data Service" / "DS" without codes mean every such role.
        if ((MeteringServiceWords().IsMatch(prose) || StandaloneMs().IsMatch(prose)) && !MeteringServices.Any(roles.Contains)) roles.UnionWith(MeteringServices);
        if ((DataServiceWords().IsMatch(prose) || StandaloneDs().IsMatch(prose)) && !DataServices.Any(roles.Contains)) roles.UnionWith(DataServices);
        return roles.Count == 0 ? null : roles;
    }

    [GeneratedRegex(@"\b(SUP|REGS|MSS|MSA|UMSO|SDS|ADS|UMSDS|LDSO|MDS|EES|MDR|LSS|DCC)\b")]
    private static partial Regex RoleCode();
    [GeneratedRegex(@"\bRegistration Service\b", RegexOptions.IgnoreCase)]
    private static partial Regex RegistrationService();
    [GeneratedRegex(@"\bMarket-?wide Data Service\b", RegexOptions.IgnoreCase)]
    private static partial Regex MarketwideDataService();
    [GeneratedRegex(@"\bLoad Shaping Service\b", RegexOptions.IgnoreCase)]
    private static partial Regex LoadShapingService();
    [GeneratedRegex(@"\bMeter Data Retr(ie|ei)ver\b", RegexOptions.IgnoreCase)]
    private static partial Regex MeterDataRetriever();
    [GeneratedRegex(@"\bData Communications Company\b", RegexOptions.IgnoreCase)]
    private static partial Regex DataCommunicationsCompany();
    [GeneratedRegex(@"\bSuppliers?\b", RegexOptions.IgnoreCase)]
    private static partial Regex SupplierWord();
    [GeneratedRegex(@"\bMetering Services?\b", RegexOptions.IgnoreCase)]
    private static partial Regex MeteringServiceWords();
    [GeneratedRegex(@"(?<!Market-?wide )\bData Services?\b", RegexOptions.IgnoreCase)]
    private static partial Regex DataServiceWords();
    [GeneratedRegex(@"\bMS\b")]
    private static partial Regex StandaloneMs();
    [GeneratedRegex(@"\bDS\b")]
    private static partial Regex StandaloneDs();
}
