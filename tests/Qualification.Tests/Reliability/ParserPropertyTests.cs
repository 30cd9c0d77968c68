using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Qualification.Domain.Dip;
using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;
using Qualification.Tests.Stubs;

namespace Qualification.Tests.Reliability;

/// <summary>
/// Properties over arbitrary input: the DTN flow reader and validator never throw on any
/// file, and the DIP envelope reader either reads an item or throws <see cref="JsonException"/>.
/// </summary>
public class ParserPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(400);

    // Lines from the flows' own vocabulary (so the validator gets deep), mutated, plus arbitrary text.
    private static readonly Gen<string> DtnLine =
        Gen.OneOf(
            Gen.Elements(
                "ZHV|F000000101|D0010002|D|DCAA|X|SUPA|20260105101500||||TR01|", "ZHV|F000000101|D0010002|D|", "ZHV||||", "ZHV|F1|D9999001|D|X|X|X|1||||X|",
                "026|2300000000019|V|", "026|2300000000018|V|", "026||", "028|E21Z000123|R|", "028|", "030|01|20260104000000|4512.0|||T|N|", "030|01|20261304000000|x|||T|N|",
                "ZPT|F000000101|3||1|20260105101501|", "ZPT|F000000101|999||1|x|", "ZPT|", "05D|2|", "999|x|", "|", "||||||||", "", " ", "\t",
                "ZHV|F000000101|D0311001|D|DCAA|X|SUPA|20260105101500||||TR01|", "ZHV|F000000101|D0150002|D|MOAA|X|SUPA|20260105101500||||OPER|"),
            ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
            Gen.Choose(0, 255).ArrayOf().Select(b => Encoding.Latin1.GetString(b.Select(x => (byte)x).ToArray())));

    private static readonly Gen<string> DtnFile =
        Gen.Zip(DtnLine.ListOf(), Gen.Elements("\n", "\r\n", "\r", "")).Select(t => string.Join(t.Item2, t.Item1));

    [Test]
    public void DtnReaderAndValidator_NeverThrow_OnAnyFile() =>
        Check.One(Quick, Prop.ForAll(DtnFile.ToArbitrary(), text =>
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            try { foreach (var _ in DtnReader.ReadAll(new MemoryStream(bytes))) { } }
            catch (DtnReadException) { } // the reader's own refusal (a line longer than any DTN line) is allowed
            var result = new FlowValidator(points: Dtn.Samples.Points).Validate(new MemoryStream(bytes));
            // Something that is not a whole valid flow always says why.
            return result.IsValid || result.Findings.Count > 0;
        }));

    [Test]
    public void DtnValidator_NeverThrows_OnTruncationsOfAValidFile()
    {
        var bytes = Dtn.Samples.Bytes("D0010_valid.flow");
        Check.One(Quick, Prop.ForAll(Gen.Choose(0, bytes.Length).ToArbitrary(), cut =>
        {
            var result = new FlowValidator().Validate(new MemoryStream(bytes[..cut]));
            // Only the final newline may go (a flow without one is valid); any deeper cut is a finding.
            return cut >= bytes.Length - 1 ? result.IsValid : cut >= bytes.Length - 2 || !result.IsValid && result.Findings.Count > 0;
        }));
    }

    // JSON built from the envelope's own names and shapes, so FromNode gets past the first property often.
    private static Gen<JsonNode?> Json(int depth)
    {
        var leaf = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            ArbMap.Default.GeneratorFor<string>().Select(s => (JsonNode?)JsonValue.Create(s ?? "")),
            Gen.Elements("IF-031", "[MSApp]", "011", "2300000000019", "2026-01-05T10:15:00+00:00", "2026-01-05", "SUP", "", "true").Select(s => (JsonNode?)JsonValue.Create(s)),
            ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)JsonValue.Create(i)),
            ArbMap.Default.GeneratorFor<double>().Where(d => double.IsFinite(d)).Select(d => (JsonNode?)JsonValue.Create(d)),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)));
        if (depth == 0) return leaf;
        var names = Gen.Elements("payload", "CommonBlock", "CustomBlock", "S0", "S1", "M0", "A0", "D0", "interfaceID", "eventCode", "schemaVersion",
            "senderDIPID", "senderRoleID", "senderUniqueReference", "senderTimestamp", "MPANCore", "primaryRecipients", "transactionID", "replayIndicator", "x");
        var obj = Gen.Zip(names, Json(depth - 1)).ListOf().Select(pairs =>
        {
            var o = new JsonObject();
            foreach (var (k, v) in pairs) o[k] = v?.DeepClone();
            return (JsonNode?)o;
        });
        var arr = Json(depth - 1).ListOf().Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()));
        return Gen.Frequency((3, leaf), (5, obj), (1, arr));
    }

    [Test]
    public void DipEnvelope_FromNode_ReadsOrThrowsJsonException_OnAnyJson()
    {
        // Mutations of a valid message as well as free-form trees.
        var valid = DipTestHost.ValidIf031("PROP");
        var mutated = Gen.Zip(Gen.Elements("payload", "CommonBlock", "S0", "S1", "M0", "CustomBlock", "B070", "senderTimestamp", "MPANCore", "interfaceID"), Json(2))
            .Select(t => (JsonNode?)Replace(valid.DeepClone(), t.Item1, t.Item2));
        Check.One(Quick, Prop.ForAll(Gen.OneOf(Json(4), mutated).Where(n => n is not null).ToArbitrary(), node =>
        {
            try { DipMessage.FromNode(node!); return true; }
            catch (JsonException) { return true; }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name}: {e.Message}\non {node!.ToJsonString()}");
                return false;
            }
        }));
    }

    // Replaces every property called name (at any depth) with value.
    private static JsonNode Replace(JsonNode node, string name, JsonNode? value)
    {
        if (node is JsonObject o)
            foreach (var key in o.Select(p => p.Key).ToList())
                if (key == name) o[key] = value?.DeepClone();
                else if (o[key] is { } child) Replace(child, name, value);
        return node;
    }
}
