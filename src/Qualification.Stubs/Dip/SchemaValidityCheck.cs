using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Qualification.Stubs.Dip;

/// <summary>What <see cref="SchemaValidityCheck"/> can say about an instance.</summary>
internal enum Certainty
{
    /// <summary>JsonSchema.Net would find the instance valid.</summary>
    Valid,
    /// <summary>JsonSchema.Net would find the instance invalid.</summary>
    Invalid,
    /// <summary>Not decided here: ask JsonSchema.Net.</summary>
    Unsure,
}

/// <summary>
/// A pass/fail check of one DIP schema, compiled once from the keywords JsonSchema.Net parsed, for the
/// common case of a valid message. JsonSchema.Net evaluating even pass/fail allocated about 74 KB per
/// IF-004 message and was the largest step of the DIP's work; this walks the payload once and
/// allocates little. It answers only where its answer is certain to be JsonSchema.Net's: a keyword it does
/// not know, a string that is not plain ASCII (lengths there count text elements), a number that is
/// not a plain integer and the like give <see cref="Certainty.Unsure"/>, and the caller then asks
/// JsonSchema.Net, which stays the authority for every verdict it is asked for and for every violation text.
/// </summary>
internal sealed class SchemaValidityCheck
{
    private readonly List<Func<JsonNode?, Certainty>> _checks = [];
    private bool _unknown;

    private SchemaValidityCheck() { }

    /// <summary>Compiles <paramref name="schema"/>; <paramref name="defs"/> resolves "#/$defs/…" references.</summary>
    /// <param name="schema">The schema to check against.</param>
    /// <param name="defs">The description's schemas by name (the root's $defs).</param>
    /// <param name="formatAsserts">Whether the evaluation options make "format" assert (then it is left to JsonSchema.Net).</param>
    public static SchemaValidityCheck Compile(JsonSchema schema, IReadOnlyDictionary<string, JsonSchema> defs, bool formatAsserts) =>
        new Compiler(defs, formatAsserts).Get(schema);

    /// <summary>Checks one instance.</summary>
    public Certainty Check(JsonNode? instance)
    {
        if (_unknown) return Certainty.Unsure;
        var result = Certainty.Valid;
        foreach (var check in _checks)
        {
            var c = check(instance);
            if (c == Certainty.Invalid) return Certainty.Invalid;
            if (c == Certainty.Unsure) result = Certainty.Unsure;
        }
        return result;
    }

    private sealed class Compiler(IReadOnlyDictionary<string, JsonSchema> defs, bool formatAsserts)
    {
        // Memoised by schema object: references are recursive, and each schema compiles once.
        private readonly Dictionary<JsonSchema, SchemaValidityCheck> _done = new(ReferenceEqualityComparer.Instance);

        public SchemaValidityCheck Get(JsonSchema schema)
        {
            if (_done.TryGetValue(schema, out var existing)) return existing;
            var compiled = new SchemaValidityCheck();
            _done[schema] = compiled;
            if (schema.BoolValue is { } always)
            {
                compiled._checks.Add(always ? _ => Certainty.Valid : _ => Certainty.Invalid);
                return compiled;
            }
            foreach (var keyword in schema.Keywords!)
            {
                var check = Keyword(keyword, schema);
                if (check is null) { compiled._unknown = true; compiled._checks.Clear(); break; }
                if (!ReferenceEquals(check, Ignore)) compiled._checks.Add(check);
            }
            return compiled;
        }

        private static readonly Func<JsonNode?, Certainty> Ignore = _ => Certainty.Valid;

        // Null: a keyword this check does not decide (the whole schema is then left to JsonSchema.Net).
        private Func<JsonNode?, Certainty>? Keyword(IJsonSchemaKeyword keyword, JsonSchema owner)
        {
            switch (keyword)
            {
                case DescriptionKeyword or TitleKeyword or CommentKeyword or DefaultKeyword or ExamplesKeyword or DeprecatedKeyword
                    or ReadOnlyKeyword or WriteOnlyKeyword or DefsKeyword:
                    return Ignore;
                // A nested $id or $schema would change what "#/$defs/…" means or which dialect applies: not decided here.
                case IdKeyword or SchemaKeyword:
                    return null;
                case FormatKeyword:
                    return formatAsserts ? null : Ignore;
                case RefKeyword r:
                {
                    var reference = r.Reference.OriginalString;
                    const string prefix = "#/$defs/";
                    if (!reference.StartsWith(prefix, StringComparison.Ordinal)) return null;
                    var name = reference[prefix.Length..];
                    if (name.Contains('~') || name.Contains('%') || name.Contains('/') || !defs.TryGetValue(name, out var target)) return null;
                    var compiled = Get(target);
                    return i => compiled.Check(i);
                }
                case TypeKeyword t:
                {
                    var type = t.Type;
                    return i => TypeOf(i, type);
                }
                case PropertiesKeyword p:
                {
                    var properties = p.Properties.ToDictionary(x => x.Key, x => Get(x.Value), StringComparer.Ordinal);
                    var additional = owner.Keywords!.OfType<AdditionalPropertiesKeyword>().FirstOrDefault() is { } a ? Get(a.Schema) : null;
                    // Which properties additionalProperties applies to depends on patternProperties too.
                    if (owner.Keywords!.Any(k => k is PatternPropertiesKeyword)) return null;
                    return i => Properties(i, properties, additional);
                }
                case AdditionalPropertiesKeyword a:
                {
                    if (owner.Keywords!.Any(k => k is PatternPropertiesKeyword)) return null;
                    // With properties beside it, the properties check above applies it to the extra names.
                    if (owner.Keywords!.Any(k => k is PropertiesKeyword)) return Ignore;
                    var additional = Get(a.Schema);
                    return i => Properties(i, EmptyProperties, additional);
                }
                case RequiredKeyword q:
                {
                    var names = q.Properties.ToArray();
                    return i =>
                    {
                        if (i is not JsonObject o) return i is null || i is JsonValue || i is JsonArray ? Certainty.Valid : Certainty.Unsure;
                        foreach (var name in names) if (!o.ContainsKey(name)) return Certainty.Invalid;
                        return Certainty.Valid;
                    };
                }
                case EnumKeyword e:
                {
                    var values = e.Values.ToArray();
                    if (!values.All(v => v is null || v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String)) return null;
                    var strings = values.OfType<JsonValue>().Select(v => v.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                    var allowsNull = values.Any(v => v is null);
                    return i => i switch
                    {
                        null => allowsNull ? Certainty.Valid : Certainty.Invalid,
                        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.TryGetValue<string>(out var s) ? strings.Contains(s) ? Certainty.Valid : Certainty.Invalid : Certainty.Unsure,
                        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => Certainty.Invalid,
                        JsonObject or JsonArray => Certainty.Invalid,
                        _ => Certainty.Unsure,
                    };
                }
                case MaxLengthKeyword m:
                {
                    var max = (long)m.Value;
                    return i => PlainString(i) is not { } s ? NotAString(i) : s.Length <= max ? Certainty.Valid : Certainty.Invalid;
                }
                case MinLengthKeyword m:
                {
                    var min = (long)m.Value;
                    return i => PlainString(i) is not { } s ? NotAString(i) : s.Length >= min ? Certainty.Valid : Certainty.Invalid;
                }
                case PatternKeyword p:
                {
                    // The Regex JsonSchema.Net parsed the pattern into (ECMAScript options, its timeout); the
                    // tests hold the two to the same answers, trailing newlines and non-ASCII digits included.
                    // Its accessor is marked obsolete in 7.x (pinned here); where it is missing, JsonSchema.Net decides.
#pragma warning disable CS0618
                    var regex = p.Value;
#pragma warning restore CS0618
                    if (regex is null) return null;
                    return i =>
                    {
                        if (i is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return NotAString(i);
                        if (!v.TryGetValue<string>(out var s)) return Certainty.Unsure;
                        try { return regex.IsMatch(s) ? Certainty.Valid : Certainty.Invalid; }
                        catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { return Certainty.Unsure; }
                    };
                }
                case MinimumKeyword m:
                {
                    var min = m.Value;
                    Func<decimal, bool> holds = n => n >= min;
                    return i => Number(i, holds, integersOnly: false);
                }
                case MaximumKeyword m:
                {
                    var max = m.Value;
                    Func<decimal, bool> holds = n => n <= max;
                    return i => Number(i, holds, integersOnly: false);
                }
                case ExclusiveMinimumKeyword m:
                {
                    var min = m.Value;
                    Func<decimal, bool> holds = n => n > min;
                    return i => Number(i, holds, integersOnly: false);
                }
                case ExclusiveMaximumKeyword m:
                {
                    var max = m.Value;
                    Func<decimal, bool> holds = n => n < max;
                    return i => Number(i, holds, integersOnly: false);
                }
                case MultipleOfKeyword m:
                {
                    var factor = m.Value;
                    if (factor <= 0 || factor != decimal.Truncate(factor)) return null;
                    Func<decimal, bool> holds = n => n % factor == 0;
                    return i => Number(i, holds, integersOnly: true);
                }
                case ItemsKeyword items:
                {
                    if (items.SingleSchema is null || owner.Keywords!.Any(k => k is PrefixItemsKeyword)) return null;
                    var each = Get(items.SingleSchema);
                    return i =>
                    {
                        if (i is not JsonArray array) return i is null || i is JsonValue || i is JsonObject ? Certainty.Valid : Certainty.Unsure;
                        var result = Certainty.Valid;
                        foreach (var item in array)
                        {
                            var c = each.Check(item);
                            if (c == Certainty.Invalid) return Certainty.Invalid;
                            if (c == Certainty.Unsure) result = Certainty.Unsure;
                        }
                        return result;
                    };
                }
                case MinItemsKeyword m:
                {
                    var min = (long)m.Value;
                    return i => i is JsonArray a ? a.Count >= min ? Certainty.Valid : Certainty.Invalid : NotAnArray(i);
                }
                case MaxItemsKeyword m:
                {
                    var max = (long)m.Value;
                    return i => i is JsonArray a ? a.Count <= max ? Certainty.Valid : Certainty.Invalid : NotAnArray(i);
                }
                case AllOfKeyword all:
                {
                    var parts = all.Schemas.Select(Get).ToArray();
                    return i => Count(i, parts) switch
                    {
                        var (valid, unsure) when valid + unsure < parts.Length => Certainty.Invalid,
                        (_, > 0) => Certainty.Unsure,
                        _ => Certainty.Valid,
                    };
                }
                case AnyOfKeyword any:
                {
                    var parts = any.Schemas.Select(Get).ToArray();
                    return i => Count(i, parts) switch
                    {
                        (> 0, _) => Certainty.Valid,
                        (_, > 0) => Certainty.Unsure,
                        _ => Certainty.Invalid,
                    };
                }
                case OneOfKeyword one:
                {
                    var parts = one.Schemas.Select(Get).ToArray();
                    return i => Count(i, parts) switch
                    {
                        (> 1, _) => Certainty.Invalid,
                        (_, > 0) => Certainty.Unsure,
                        (1, _) => Certainty.Valid,
                        _ => Certainty.Invalid,
                    };
                }
                case NotKeyword not:
                {
                    var inner = Get(not.Schema);
                    return i => inner.Check(i) switch { Certainty.Valid => Certainty.Invalid, Certainty.Invalid => Certainty.Valid, _ => Certainty.Unsure };
                }
                default:
                    return null;
            }
        }
    }

    private static readonly Dictionary<string, SchemaValidityCheck> EmptyProperties = new(StringComparer.Ordinal);

    private static (int Valid, int Unsure) Count(JsonNode? instance, SchemaValidityCheck[] parts)
    {
        var (valid, unsure) = (0, 0);
        foreach (var part in parts)
        {
            var c = part.Check(instance);
            if (c == Certainty.Valid) valid++;
            else if (c == Certainty.Unsure) unsure++;
        }
        return (valid, unsure);
    }

    private static Certainty Properties(JsonNode? instance, Dictionary<string, SchemaValidityCheck> properties, SchemaValidityCheck? additional)
    {
        if (instance is not JsonObject obj) return instance is null || instance is JsonValue || instance is JsonArray ? Certainty.Valid : Certainty.Unsure;
        var result = Certainty.Valid;
        foreach (var (name, value) in obj)
        {
            var check = properties.GetValueOrDefault(name) ?? additional;
            if (check is null) continue;
            var c = check.Check(value);
            if (c == Certainty.Invalid) return Certainty.Invalid;
            if (c == Certainty.Unsure) result = Certainty.Unsure;
        }
        return result;
    }

    private static Certainty TypeOf(JsonNode? instance, SchemaValueType type)
    {
        SchemaValueType actual;
        switch (instance)
        {
            case null: actual = SchemaValueType.Null; break;
            case JsonObject: actual = SchemaValueType.Object; break;
            case JsonArray: actual = SchemaValueType.Array; break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: actual = SchemaValueType.String; break;
                    case JsonValueKind.True or JsonValueKind.False: actual = SchemaValueType.Boolean; break;
                    case JsonValueKind.Null: actual = SchemaValueType.Null; break;
                    case JsonValueKind.Number:
                        // A plain integer literal is both "integer" and "number"; any number is a "number"; whether
                        // 1.0 or 1e3 is an "integer" is left to JsonSchema.Net.
                        // A number System.Text.Json cannot read as a decimal is left to JsonSchema.Net too (it reads them so).
                        if (!v.TryGetValue<JsonElement>(out var e) || !e.TryGetDecimal(out _)) return Certainty.Unsure;
                        if ((type & SchemaValueType.Number) != 0) return Certainty.Valid;
                        if (e.TryGetInt64(out _)) return (type & SchemaValueType.Integer) != 0 ? Certainty.Valid : Certainty.Invalid;
                        return (type & SchemaValueType.Integer) != 0 ? Certainty.Unsure : Certainty.Invalid;
                    default: return Certainty.Unsure;
                }
                break;
            default: return Certainty.Unsure;
        }
        return (type & actual) != 0 ? Certainty.Valid : Certainty.Invalid;
    }

    // A string whose length is the same however it is counted (UTF-16 units, code points, text
    // elements): ASCII without CR, since "\r\n" is one text element. Null for anything else.
    private static string? PlainString(JsonNode? instance)
    {
        if (instance is not JsonValue v || v.GetValueKind() != JsonValueKind.String || !v.TryGetValue<string>(out var s)) return null;
        return Ascii.IsValid(s) && !s.Contains('\r') ? s : null;
    }

    // A string keyword on a value that is not a string does not apply to it.
    private static Certainty NotAString(JsonNode? instance) =>
        instance is null || instance is JsonObject || instance is JsonArray || instance is JsonValue v && v.GetValueKind() != JsonValueKind.String
            ? Certainty.Valid : Certainty.Unsure;

    private static Certainty NotAnArray(JsonNode? instance) =>
        instance is null || instance is JsonObject || instance is JsonValue ? Certainty.Valid : Certainty.Unsure;

    // A number keyword: decided for numbers System.Text.Json reads exactly as a decimal (multipleOf:
    // plain integer literals only); other numbers are left to JsonSchema.Net; other kinds pass.
    private static Certainty Number(JsonNode? instance, Func<decimal, bool> holds, bool integersOnly)
    {
        if (instance is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            return instance is null || instance is JsonObject || instance is JsonArray || instance is JsonValue ? Certainty.Valid : Certainty.Unsure;
        if (!v.TryGetValue<JsonElement>(out var e)) return Certainty.Unsure;
        decimal n;
        if (e.TryGetInt64(out var whole)) n = whole;
        else if (integersOnly || !e.TryGetDecimal(out n)) return Certainty.Unsure;
        return holds(n) ? Certainty.Valid : Certainty.Invalid;
    }
}
