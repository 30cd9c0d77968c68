using System.Text.Json.Nodes;

namespace Qualification.Dtn.Definitions;

/// <summary>What the harness knows beyond the DTC data (see harness-overlay.json for sources).</summary>
public sealed record HarnessOverlay
{
    /// <summary>DTN role letter → DTC route role names.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> RoleCodes { get; init; }
    /// <summary>J0483 prefixes of SMETS meter types.</summary>
    public required IReadOnlyList<string> SmartMeterTypePrefixes { get; init; }
    /// <summary>J2255 code: MPAN forward migration in progress or completed (D0304).</summary>
    public required string ForwardMigrationD0304ResponseCode { get; init; }
    /// <summary>J2256 code: MPAN forward migration in progress or completed (D0312).</summary>
    public required string ForwardMigrationD0312ResponseCode { get; init; }
    /// <summary>TPR of the total cumulative register (D0311 07D).</summary>
    public required string TotalCumulativeTpr { get; init; }
    /// <summary>J0171 code of a Supplier Agreed Switch Read.</summary>
    public required string SupplierAgreedSwitchReadType { get; init; }
}

/// <summary>
/// The DTN flow definitions the harness knows, built at run time from the DTC 15.4 data embedded from
/// <c>data/dtc-15.4</c> (flow layouts and the data-item catalogue) plus the harness overlay.
/// </summary>
public sealed class FlowCatalog
{
    private const string Prefix = "dtc/";
    private static readonly Lazy<FlowCatalog> Embedded = new(LoadEmbedded);
    private readonly Dictionary<string, FlowDefinition> _byKey;

    private FlowCatalog(IReadOnlyList<FlowDefinition> flows, HarnessOverlay overlay)
    {
        Flows = flows;
        Overlay = overlay;
        _byKey = flows.ToDictionary(f => f.Key, StringComparer.Ordinal);
    }

    /// <summary>The catalogue built from the embedded DTC data (loaded once).</summary>
    public static FlowCatalog Default => Embedded.Value;

    /// <summary>Every flow version.</summary>
    public IReadOnlyList<FlowDefinition> Flows { get; }

    /// <summary>The harness's additions.</summary>
    public HarnessOverlay Overlay { get; }

    /// <summary>The definition for a ZHV "Data Flow and Version Number" such as D0010002, or null.</summary>
    public FlowDefinition? Find(string flowAndVersion) => _byKey.GetValueOrDefault(flowAndVersion);

    /// <summary>The newest known version of <paramref name="flowId"/> (e.g. D0311), or null.</summary>
    public FlowDefinition? Latest(string flowId) => Flows.Where(f => f.FlowId == flowId).MaxBy(f => f.Version, StringComparer.Ordinal);

    private static FlowCatalog LoadEmbedded()
    {
        var assembly = typeof(FlowCatalog).Assembly;
        JsonNode Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded resource {name} is missing");
            return JsonNode.Parse(stream) ?? throw new InvalidDataException($"{name} is empty");
        }
        var flowTexts = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix + "flows/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(n => (n, Read(n)));
        return Build(flowTexts, Read(Prefix + "data-items.json"), Read(Prefix + "harness-overlay.json"));
    }

    /// <summary>Builds a catalogue from DTC JSON (flows, data items) and an overlay; used for the embedded data and by tests.</summary>
    public static FlowCatalog Build(IEnumerable<(string Source, JsonNode Flow)> flows, JsonNode dataItems, JsonNode overlay)
    {
        var derived = overlay["derivedFormats"]!.AsObject().Where(kv => !kv.Key.StartsWith('_')).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
        var conditional = overlay["conditionalGroups"]!.AsObject().Where(kv => !kv.Key.StartsWith('_'))
            .ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(v => v!.GetValue<string>()).ToHashSet());
        var items = dataItems.AsObject();
        var definitions = new List<FlowDefinition>();
        foreach (var (source, flow) in flows)
        {
            var flowId = Text(flow, "flowId", source);
            conditional.TryGetValue(flowId, out var relaxed);
            var groups = new List<GroupDefinition>();
            foreach (var (id, node) in flow["groups"]!.AsObject())
            {
                var g = node!;
                var fields = g["fields"]!.AsArray().Select(f => Field(f!, items, derived)).ToList();
                var min = g["cardinality"]?["min"]?.GetValue<int>() ?? 0;
                var max = g["cardinality"]?["max"]?.GetValue<int?>();
                if (relaxed?.Contains(id) == true) min = 0;
                groups.Add(new GroupDefinition(id, Text(g, "name", source), g["parent"]?.GetValue<string>(), g["level"]!.GetValue<int>(), min, max, fields));
            }
            var routes = flow["routes"]?.AsArray().Select(r => new FlowRoute(r!["from"]!.GetValue<string>(), r["to"]!.GetValue<string>())).Distinct().ToList() ?? [];
            definitions.Add(new FlowDefinition(flowId, Text(flow, "flowVersion", source), Text(flow, "flowName", source), groups, routes));
        }
        var mhhs = overlay["mhhsValues"]!;
        var harness = new HarnessOverlay
        {
            RoleCodes = overlay["roleCodes"]!.AsObject().Where(kv => !kv.Key.StartsWith('_'))
                .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value!.AsArray().Select(v => v!.GetValue<string>()).ToList()),
            SmartMeterTypePrefixes = overlay["smartMeterTypes"]!["prefixes"]!.AsArray().Select(v => v!.GetValue<string>()).ToList(),
            ForwardMigrationD0304ResponseCode = mhhs["forwardMigrationD0304ResponseCode"]!.GetValue<string>(),
            ForwardMigrationD0312ResponseCode = mhhs["forwardMigrationD0312ResponseCode"]!.GetValue<string>(),
            TotalCumulativeTpr = mhhs["totalCumulativeTpr"]!.GetValue<string>(),
            SupplierAgreedSwitchReadType = mhhs["supplierAgreedSwitchReadType"]!.GetValue<string>(),
        };
        return new FlowCatalog(definitions, harness);
    }

    private static FieldDefinition Field(JsonNode f, JsonObject items, Dictionary<string, string> derived)
    {
        var reference = f["ref"]!.GetValue<string>();
        var item = items[reference];
        // The data-item catalogue keeps the decimals (NUM(9 ,1)) that the flow table drops (NUM(9)).
        var format = DataFormat.Parse(item?["logicalFormat"]?.GetValue<string>());
        if (format.IsUnknown && derived.TryGetValue(reference, out var baseFormat)) format = DataFormat.Parse(baseFormat);
        if (format.IsUnknown) format = DataFormat.Parse(f["format"]?.GetValue<string>());
        ValidSet? validSet = null;
        if (item?["validSet"] is { } vs && vs["kind"]?.GetValue<string>() == "enum")
            validSet = new ValidSet(vs["values"]!.AsArray().GroupBy(v => v!["code"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.First()!["label"]?.GetValue<string>() ?? ""));
        return new FieldDefinition(reference, f["name"]!.GetValue<string>(), f["required"]?.GetValue<bool>() ?? false, format, validSet);
    }

    private static string Text(JsonNode node, string property, string source) =>
        node[property]?.GetValue<string>() ?? throw new InvalidDataException($"{source}: '{property}' is missing");
}
