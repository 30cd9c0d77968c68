using System.Text.Json.Nodes;
using Json.Schema;

namespace Qualification.Stubs.Dip;

/// <summary>One reason a message does not match its schema.</summary>
/// <param name="Path">JSON path of the offending value, e.g. <c>$.payload.CommonBlock.S1.senderTimestamp</c>.</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record SchemaViolation(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// The JSON schemas of every DIP interface and event, read at start-up from the DIP API description
/// (OpenAPI 3.0). OpenAPI's dialect is translated to JSON Schema 2020-12 on load: <c>nullable</c>
/// becomes a "null" type, and component references become <c>$defs</c> references. Nothing is
/// hand-copied, so a new version of the description is a file swap.
/// </summary>
public sealed class DipSchemaCatalog
{
    private const string BaseUri = "https://qualification.harness/dip-api";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (JsonSchema Schema, SchemaValidityCheck Check)> _compiled = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly IReadOnlyDictionary<string, JsonSchema> _defs;
    private readonly bool _formatAsserts;
    private readonly EvaluationOptions _options;
    // Valid messages are the common case: a pass/fail answer (Flag output) is several times cheaper
    // than collecting every annotation (List output), which is only needed to explain a failure.
    private readonly EvaluationOptions _validity;

    private DipSchemaCatalog(JsonObject openApi, string source)
    {
        Source = source;
        Version = openApi["info"]?["version"]?.GetValue<string>() ?? "unknown";
        var schemas = openApi["components"]?["schemas"] as JsonObject
            ?? throw new FormatException($"{source}: no components.schemas; is this the DIP API description?");
        var defs = new JsonObject();
        foreach (var (name, schema) in schemas)
            defs[name] = Translate(schema!.DeepClone());
        SchemaNames = schemas.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        // Channels are the interfaces (IF-xxx) and reports (REP-xxx[A]) with a payload schema.
        Interfaces = SchemaNames.Where(n => n.EndsWith("-Payload", StringComparison.Ordinal) && (n.StartsWith("IF-", StringComparison.Ordinal) || n.StartsWith("REP-", StringComparison.Ordinal)))
            .Select(n => n[..^"-Payload".Length]).ToHashSet(StringComparer.Ordinal);
        // Event schemas are named <interface>-<event> (IF-031-MSApp); report custom blocks are not events.
        EventsByInterface = SchemaNames
            .Where(n => n.StartsWith("IF-", StringComparison.Ordinal) && n.Length > 7 && !n.EndsWith("-Payload", StringComparison.Ordinal) && Interfaces.Contains(n[..6]))
            .GroupBy(n => n[..6])
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(n => "[" + n[7..] + "]").ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        // Event codes that are only listed in an interface payload's S0 enum (payload-only interfaces).
        foreach (var iface in Interfaces.Where(i => !EventsByInterface.ContainsKey(i)))
        {
            var codes = (schemas[iface + "-Payload"]?["properties"]?["CommonBlock"]?["properties"]?["S0"]?["properties"]?["eventCode"]?["enum"] as JsonArray)
                ?.Select(c => c!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
            EventsByInterface[iface] = codes;
        }

        // The debug validation endpoints the description publishes, e.g. "IF-031/[MSApp]".
        ValidationEndpoints = ((openApi["paths"] as JsonObject)?.Select(p => p.Key) ?? [])
            .Where(p => p.StartsWith("/validate/", StringComparison.Ordinal))
            .Select(p => p["/validate/".Length..].Split('/'))
            .Where(p => p.Length == 2)
            .Select(p => p[0] + "/[" + p[1] + "]")
            .ToHashSet(StringComparer.Ordinal);

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BaseUri,
            ["$defs"] = defs,
        };
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        var rootSchema = JsonSchema.FromText(root.ToJsonString());
        _options.SchemaRegistry.Register(rootSchema);
        _validity = new EvaluationOptions { OutputFormat = OutputFormat.Flag };
        _validity.SchemaRegistry.Register(rootSchema);
        _defs = rootSchema.GetKeyword<DefsKeyword>()?.Definitions ?? new Dictionary<string, JsonSchema>();
        // Whether these options make "format" assert (2020-12 leaves it an annotation unless asked);
        // read from JsonSchema.Net itself, so the compiled check follows it either way.
        var formatProbe = JsonSchema.FromText("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"format\":\"email\"}");
        _formatAsserts = !formatProbe.Evaluate(JsonValue.Create("not an e-mail address"), _validity).IsValid;
    }

    /// <summary>Where the description was read from.</summary>
    public string Source { get; }

    /// <summary>The description's info.version (2.2.1).</summary>
    public string Version { get; }

    /// <summary>Every schema name in the description.</summary>
    public IReadOnlySet<string> SchemaNames { get; }

    /// <summary>Channels with a payload schema: interfaces IF-001 … IF-065 and reports REP-002 … REP-901.</summary>
    public IReadOnlySet<string> Interfaces { get; }

    /// <summary>The interface/event pairs with a published <c>POST /validate/{IF}/{Event}</c> endpoint, as "IF-031/[MSApp]".</summary>
    public IReadOnlySet<string> ValidationEndpoints { get; }

    /// <summary>Event codes (with brackets) each interface defines.</summary>
    public Dictionary<string, IReadOnlySet<string>> EventsByInterface { get; }

    /// <summary>The description shipped inside the harness (data/dip-api/dip-api-2.2.1.openapi.json).</summary>
    public static DipSchemaCatalog Embedded { get; } = LoadEmbedded();

    private static DipSchemaCatalog LoadEmbedded()
    {
        using var stream = typeof(DipSchemaCatalog).Assembly.GetManifestResourceStream("dip-api.openapi.json")
            ?? throw new InvalidOperationException("The DIP API description is missing from the build.");
        return new DipSchemaCatalog((JsonObject)JsonNode.Parse(stream)!, "data/dip-api/dip-api-2.2.1.openapi.json");
    }

    /// <summary>Loads another version of the description from a file.</summary>
    public static DipSchemaCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return new DipSchemaCatalog(JsonNode.Parse(stream) as JsonObject ?? throw new FormatException($"{path}: not a JSON object"), path);
    }

    /// <summary>
    /// The schema name a message of <paramref name="interfaceId"/> with <paramref name="eventCode"/> is
    /// validated against: the event's own schema where there is one (IF-031-MSApp), else the payload.
    /// Null when the interface or event is unknown.
    /// </summary>
    public string? SchemaFor(string interfaceId, string? eventCode)
    {
        if (!Interfaces.Contains(interfaceId)) return null;
        var events = EventsByInterface.GetValueOrDefault(interfaceId);
        if (eventCode is null || events is null || !events.Contains(eventCode))
            return events is { Count: > 0 } ? null : interfaceId + "-Payload";
        var specific = interfaceId + "-" + eventCode.Trim('[', ']');
        return SchemaNames.Contains(specific) ? specific : interfaceId + "-Payload";
    }

    /// <summary>Validates one payload (the object under "payload") against a named schema.</summary>
    public IReadOnlyList<SchemaViolation> Validate(string schemaName, JsonNode? payload, string pathPrefix = "$.payload")
    {
        var (schema, check) = Compiled(schemaName);
        // Most messages are valid: the compiled check says so without JsonSchema.Net's allocations. Any
        // other answer (invalid, or not certain) goes to JsonSchema.Net, which decides and explains.
        if (check.Check(payload) == Certainty.Valid) return [];
        if (schema.Evaluate(payload, _validity).IsValid) return [];
        var result = schema.Evaluate(payload, _options);
        if (result.IsValid) return [];
        var violations = new List<SchemaViolation>();
        foreach (var detail in result.Details.Where(d => d.Errors is { Count: > 0 }))
        {
            var path = pathPrefix + PointerToPath(detail.InstanceLocation.ToString());
            foreach (var (keyword, message) in detail.Errors!)
            {
                // oneOf/anyOf wrappers repeat their branches' errors; keep the leaf ones.
                if (keyword is "oneOf" or "anyOf" or "allOf" or "$ref") continue;
                // additionalProperties:false reports "fails against the false schema" at the extra property.
                var notAllowed = keyword is "additionalProperties" or "false" || message.Contains("false schema", StringComparison.Ordinal);
                violations.Add(new SchemaViolation(path, notAllowed ? "property is not allowed by the schema (additionalProperties: false)" : message));
            }
        }
        if (violations.Count == 0) violations.Add(new SchemaViolation(pathPrefix, "does not match schema " + schemaName));
        return violations.Distinct().ToList();
    }

    private (JsonSchema Schema, SchemaValidityCheck Check) Compiled(string schemaName)
    {
        if (_compiled.TryGetValue(schemaName, out var known)) return known;
        lock (_gate)
        {
            if (_compiled.TryGetValue(schemaName, out known)) return known;
            if (!SchemaNames.Contains(schemaName) || !_defs.TryGetValue(schemaName, out var definition))
                throw new ArgumentException($"The DIP API description has no schema '{schemaName}'.", nameof(schemaName));
            var schema = JsonSchema.FromText($"{{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$ref\":\"{BaseUri}#/$defs/{schemaName}\"}}");
            known = (schema, SchemaValidityCheck.Compile(definition, _defs, _formatAsserts));
            _compiled[schemaName] = known;
            return known;
        }
    }

    /// <summary>
    /// Whether the compiled pass/fail check is certain that <paramref name="payload"/> is valid against
    /// <paramref name="schemaName"/> (null when it leaves the verdict to JsonSchema.Net). For tests that
    /// hold the check to JsonSchema.Net's verdicts.
    /// </summary>
    public bool? CompiledVerdict(string schemaName, JsonNode? payload) => Compiled(schemaName).Check.Check(payload) switch
    {
        Certainty.Valid => true,
        Certainty.Invalid => false,
        _ => null,
    };

    /// <summary>JsonSchema.Net's own pass/fail verdict on <paramref name="payload"/> (for tests of the compiled check).</summary>
    public bool EvaluatorVerdict(string schemaName, JsonNode? payload) => Compiled(schemaName).Schema.Evaluate(payload, _validity).IsValid;

    private static string PointerToPath(string pointer)
    {
        if (string.IsNullOrEmpty(pointer) || pointer == "#") return "";
        var parts = pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Replace("~1", "/").Replace("~0", "~"));
        return string.Concat(parts.Select(p => int.TryParse(p, out var i) ? $"[{i}]" : "." + p));
    }

    // OpenAPI 3.0 → JSON Schema 2020-12 for the keywords the description uses.
    private static JsonNode Translate(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (key is "example" or "examples") { obj.Remove(key); continue; }
                    if (key == "properties" && obj[key] is JsonObject props)
                    {
                        foreach (var name in props.Select(p => p.Key).ToList())
                            props[name] = Translate(props[name]!.DeepClone());
                        continue;
                    }
                    if (obj[key] is { } child && key != "enum" && key != "required")
                        obj[key] = Translate(child.DeepClone());
                }
                if (obj["$ref"] is JsonValue r && r.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    // In OpenAPI 3.0 siblings of $ref are ignored; keep only the reference.
                    var target = "#/$defs/" + r.GetValue<string>()["#/components/schemas/".Length..];
                    foreach (var key in obj.Select(p => p.Key).ToList()) obj.Remove(key);
                    obj["$ref"] = target;
                }
                if (obj["nullable"] is JsonValue n && n.GetValue<bool>())
                {
                    obj.Remove("nullable");
                    if (obj["type"] is JsonValue t) obj["type"] = new JsonArray(t.GetValue<string>(), "null");
                    if (obj["enum"] is JsonArray e && !e.Any(x => x is null)) e.Add(null);
                }
                else obj.Remove("nullable");
                return obj;
            case JsonArray arr:
                for (var i = 0; i < arr.Count; i++)
                    if (arr[i] is { } item) arr[i] = Translate(item.DeepClone());
                return arr;
            default:
                return node;
        }
    }
}
