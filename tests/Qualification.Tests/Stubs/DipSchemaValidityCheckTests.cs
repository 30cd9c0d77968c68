using System.Text.Json.Nodes;
using Qualification.Stubs.Dip;
using Qualification.Tests.Support;

namespace Qualification.Tests.Stubs;

/// <summary>
/// The DIP's compiled pass/fail schema check against JsonSchema.Net, which stays the authority: on every
/// payload below, whenever the compiled check gives a verdict it must be JsonSchema.Net's. The payloads
/// are the description's published examples, each against its own schema and against every other
/// interface's, and thousands of seeded mutations of them (properties removed, added, retyped,
/// lengthened, emptied, non-ASCII and CR/LF text, decimals, nulls).
/// </summary>
public class DipSchemaValidityCheckTests
{
    private static readonly DipSchemaCatalog Catalog = DipSchemaCatalog.Embedded;

    private static readonly JsonObject Description = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Qualify.RepoRoot, "data/dip-api/dip-api-2.2.1.openapi.json")))!;

    // Payloads parsed from text, as a request body is, with the schema each is meant for.
    private static List<(string Name, string Schema, string Payload)> Examples()
    {
        var examples = new List<(string, string, string)>();
        foreach (var (name, example) in Description["components"]!["examples"]!.AsObject())
        {
            var value = example?["value"];
            foreach (var item in value is JsonArray a ? a.ToList() : [value])
            {
                if (item?["payload"] is not JsonObject payload || payload["CommonBlock"]?["S0"] is not JsonObject s0) continue;
                var channel = (s0["interfaceID"] ?? s0["InterfaceID"] ?? s0["interfaceId"])?.GetValue<string>();
                if (channel is null) continue;
                var schema = Catalog.SchemaFor(channel, s0["eventCode"]?.GetValue<string>()) ?? (Catalog.SchemaNames.Contains(channel + "-Payload") ? channel + "-Payload" : null);
                if (schema is not null) examples.Add((name, schema, payload.ToJsonString()));
            }
        }
        examples.Add(("harness IF-031", "IF-031-Payload", DipTestHost.ValidIf031()["payload"]!.ToJsonString()));
        // The published examples with their known defects corrected: valid messages to mutate.
        foreach (var (name, defects) in DipApiExampleTests.Known.Where(k => k.Value.Correct is not null))
        {
            var value = Description["components"]!["examples"]![name]!["value"]!.DeepClone();
            foreach (var item in value is JsonArray a ? a.ToList() : [value])
            {
                defects.Correct!((JsonObject)item!);
                var s0 = item!["payload"]!["CommonBlock"]!["S0"]!;
                var schema = Catalog.SchemaFor(s0["interfaceID"]!.GetValue<string>(), s0["eventCode"]?.GetValue<string>());
                if (schema is not null) examples.Add((name + " corrected", schema, item["payload"]!.ToJsonString()));
            }
        }
        return examples;
    }

    private static void Agree(string what, string schema, string payloadText, ref int decided)
    {
        var payload = JsonNode.Parse(payloadText);
        var compiled = Catalog.CompiledVerdict(schema, payload);
        if (compiled is null) return;
        decided++;
        bool authority;
        try { authority = Catalog.EvaluatorVerdict(schema, payload); }
        catch (FormatException)
        {
            // JsonSchema.Net cannot read some numbers (beyond a decimal); the DIP answers those with a
            // harness fault, as before, only if the compiled check leaves them to it.
            Assert.That(compiled, Is.Not.True, $"{what} against {schema}: JsonSchema.Net fails on it, so the compiled check must not pass it: {payloadText}");
            return;
        }
        Assert.That(compiled, Is.EqualTo(authority), $"{what} against {schema}: the compiled check says {(compiled.Value ? "valid" : "invalid")}, JsonSchema.Net says {(authority ? "valid" : "invalid")}: {payloadText}");
    }

    [Test]
    public void Valid_messages_are_decided_by_the_compiled_check()
    {
        // Not vacuous: a valid message must take the fast path, or the check saves nothing.
        var payload = JsonNode.Parse(DipTestHost.ValidIf031()["payload"]!.ToJsonString());
        Assert.That(Catalog.EvaluatorVerdict("IF-031-Payload", payload), Is.True);
        Assert.That(Catalog.CompiledVerdict("IF-031-Payload", payload), Is.True);
    }

    [Test]
    public void Published_examples_get_the_same_verdict_against_every_interface_schema()
    {
        var payloadSchemas = Catalog.SchemaNames.Where(n => n.EndsWith("-Payload", StringComparison.Ordinal) && Catalog.Interfaces.Contains(n[..^"-Payload".Length])).Order().ToList();
        var decided = 0;
        var examples = Examples();
        foreach (var (name, schema, payload) in examples)
        {
            Agree(name, schema, payload, ref decided);
            foreach (var other in payloadSchemas) Agree(name, other, payload, ref decided);
        }
        Assert.That(decided, Is.GreaterThan(examples.Count), "the compiled check decided almost nothing, so this test showed little");
    }

    [Test]
    public void Mutated_examples_get_the_same_verdict()
    {
        var random = new Random(20261130);
        var decided = 0;
        var validDecided = 0;
        foreach (var (name, schema, payloadText) in Examples())
        {
            // Valid messages get more rounds: their mutations are where a wrong "valid" would show.
            var rounds = Catalog.EvaluatorVerdict(schema, JsonNode.Parse(payloadText)) ? 600 : 150;
            for (var round = 0; round < rounds; round++)
            {
                var payload = JsonNode.Parse(payloadText)!;
                var steps = 1 + random.Next(2);
                var what = new List<string>();
                for (var s = 0; s < steps; s++) what.Add(Mutate(payload, random));
                var text = payload.ToJsonString();
                var before = decided;
                Agree($"{name} with {string.Join(", ", what)}", schema, text, ref decided);
                if (decided > before && Catalog.CompiledVerdict(schema, JsonNode.Parse(text)) == true) validDecided++;
            }
        }
        TestContext.Out.WriteLine($"decided {decided} mutations, {validDecided} of them valid");
        Assert.That(decided, Is.GreaterThan(1000), "the compiled check decided too few mutations for this test to show much");
        Assert.That(validDecided, Is.GreaterThan(50), "too few mutations the compiled check found valid");
    }

    // One random change somewhere in the payload; says what it did.
    private static string Mutate(JsonNode payload, Random random)
    {
        var containers = new List<(JsonNode Node, string Path)>();
        void Collect(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    containers.Add((o, path));
                    foreach (var (k, v) in o) Collect(v, path + "." + k);
                    break;
                case JsonArray a:
                    containers.Add((a, path));
                    for (var i = 0; i < a.Count; i++) Collect(a[i], $"{path}[{i}]");
                    break;
            }
        }
        Collect(payload, "$");
        var (target, where) = containers[random.Next(containers.Count)];
        JsonNode? Value() => random.Next(16) switch
        {
            0 => null,
            1 => true,
            2 => 7,
            3 => JsonNode.Parse("1.0"),
            4 => JsonNode.Parse("-12.75"),
            5 => "",
            6 => new string('A', random.Next(1, 300)),
            7 => "Ünïcödé " + new string('é', random.Next(0, 40)),
            8 => "line\r\nbreak",
            9 => new JsonObject(),
            10 => new JsonArray(),
            11 => new JsonArray("x", 1),
            12 => "2026-01-05T10:15:00+00:00",
            13 => "[" + new string('X', random.Next(1, 12)) + "]",
            14 => new string('9', random.Next(1, 20)),
            _ => JsonNode.Parse("123456789012345678901234567890"),
        };
        if (target is JsonObject texts && texts.Where(p => p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String).Select(p => p.Key).ToList() is { Count: > 0 } named && random.Next(3) == 0)
        {
            // A small change to a real value: where patterns, lengths and enumerations are close calls.
            var key = named[random.Next(named.Count)];
            var text = texts[key]!.GetValue<string>();
            texts[key] = random.Next(6) switch
            {
                0 => text + "\n",
                1 => text.Length > 0 ? text[..^1] : "x",
                2 => text + text[^Math.Min(1, text.Length)..],
                3 => text.ToLowerInvariant(),
                4 => text.Replace('1', '\u0661'),
                _ => " " + text,
            };
            return $"{where}.{key} altered";
        }
        switch (target)
        {
            case JsonObject o when o.Count > 0 && random.Next(3) == 0:
            {
                var key = o.ElementAt(random.Next(o.Count)).Key;
                o.Remove(key);
                return $"{where}.{key} removed";
            }
            case JsonObject o when o.Count > 0 && random.Next(2) == 0:
            {
                var key = o.ElementAt(random.Next(o.Count)).Key;
                o[key] = Value();
                return $"{where}.{key} replaced";
            }
            case JsonObject o:
                o["extra" + random.Next(100)] = Value();
                return $"{where} got an extra property";
            case JsonArray a when a.Count > 0 && random.Next(2) == 0:
                a.RemoveAt(random.Next(a.Count));
                return $"{where} lost an item";
            case JsonArray a when a.Count > 0:
                a[random.Next(a.Count)] = Value();
                return $"{where} had an item replaced";
            case JsonArray a:
                a.Add(Value());
                return $"{where} got an item";
            default:
                return "nothing";
        }
    }
}
