using System.Text.Json.Nodes;
using Qualification.Stubs.Dip;
using Qualification.Tests.Support;

namespace Qualification.Tests.Stubs;

/// <summary>
/// The example requests published in the DIP API description, sent to the emulated DIP over HTTP.
/// Every example the description publishes today contradicts its own schema somewhere; each one is
/// listed below with the fields at fault and why, and the emulator must name exactly those fields.
/// Where the fault is a simple misspelling, the corrected example must then be accepted (201),
/// which shows that the emulator accepts real messages and not only refuses.
/// </summary>
public class DipApiExampleTests
{
    /// <summary>What is wrong with one published example.</summary>
    /// <param name="NotAnArray">The example is one object, but POST /dip-channel/{id} takes a DIPMessageArray.</param>
    /// <param name="Fields">JSON paths (as the emulator reports them) that must appear in the refusal.</param>
    /// <param name="Reason">Why, in words.</param>
    /// <param name="Correct">The minimal correction, where one exists, after which the example must be accepted.</param>
    public sealed record Defects(bool NotAnArray, string[] Fields, string Reason, Action<JsonObject>? Correct = null);

    private static void RenameInterfaceId(JsonObject item)
    {
        var s0 = item["payload"]!["CommonBlock"]!["S0"]!.AsObject();
        var value = s0["InterfaceID"]!.DeepClone();
        s0.Remove("InterfaceID");
        s0["interfaceID"] = value;
    }

    private static void Rename(JsonObject block, string from, string to)
    {
        var value = block[from]!.DeepClone();
        block.Remove(from);
        block[to] = value;
    }

    // The example MPAN 2000056535972 fails the check digit (…971 is the valid one); that is a DIP L1
    // check, not a schema rule, so it only shows once the schema faults are corrected.
    private static void FixMpan(JsonObject item) => item["payload"]!["CommonBlock"]!["M0"]!["MPANCore"] = "2000056535971";

    /// <summary>Every example in the description that contradicts its own schema, and how.</summary>
    public static readonly IReadOnlyDictionary<string, Defects> Known = new Dictionary<string, Defects>
    {
        ["IF-001-InitialRegistration"] = new(false,
            ["$[0].payload.CustomBlock.B013", "$[0].payload.CustomBlock.B002", "$[0].payload.CustomBlock.B035List", "$[0].payload.CustomBlock.B037List", "$[0].payload.CustomBlock.B032.SSC"],
            "B013 has CSSRegistrationRequestID (schema: CSSRegistrationID); B002 has incomingSupplierEffectiveFromDate (schema: supplierEffectiveFromDate); B035List/B037List are objects (schema: arrays); B032.SSC is shorter than the 4-digit pattern"),
        ["IF-001-ChangeOfSupplier"] = new(false,
            ["$[0].payload.CommonBlock.S0", "$[0].payload.CustomBlock.B013", "$[0].payload.CustomBlock.B002", "$[0].payload.CustomBlock.B003", "$[0].payload.CustomBlock.B032.SSC"],
            "S0 has InterfaceID (schema: interfaceID); B013, B002 as above; B003 has outgoingSupplierEffectiveToDate (schema: supplierEffectiveToDate); B032.SSC too short"),
        ["IF-002"] = new(false,
            ["$[0].payload.CommonBlock.S0", "$[0].payload.CommonBlock.S0.InterfaceID", "$[0].payload.CustomBlock.B013", "$[0].payload.CustomBlock.B035List", "$[0].payload.CustomBlock.B037List", "$[0].payload.CustomBlock.B032.SSC"],
            "S0 has InterfaceID (schema: interfaceID, no other key allowed); B013 as above; B035List/B037List are not IF-002 blocks; B032.SSC too short"),
        ["IF-003-MSDeAppRM"] = new(true, ["$[0].payload.CommonBlock.S0.eventCode"],
            "one object, not an array; eventCode [MSDeApp] is an IF-037 event (IF-003 has [MSDeAppRM]), and its custom block is IF-037's (B010 not allowed)"),
        ["IF-021"] = new(false,
            ["$[0].payload.CommonBlock.S0.interfaceId", "$[0].payload.CommonBlock.S1.environment", "$[0].payload.CommonBlock.S1.sentTimestamp", "$[0].payload.CommonBlock.S1.senderDIPId", "$[0].payload.CommonBlock.S1.senderRole", "$[0].payload.CustomBlock.B900List"],
            "an older envelope: interfaceId, environment, sentTimestamp, senderDIPId, senderRole … (schema: interfaceID, environmentTag, senderTimestamp, senderDIPID, senderRoleID); B900List (schema: B900)"),
        ["IF-037-MSDeApp"] = new(true, ["$[0].payload.CommonBlock.S0", "$[0].payload.CustomBlock.B013", "$[0].payload.CustomBlock.B002"],
            "one object, not an array; InterfaceID; B013 and B002 misspelt as above; MPAN check digit wrong",
            item =>
            {
                RenameInterfaceId(item);
                Rename(item["payload"]!["CustomBlock"]!["B013"]!.AsObject(), "CSSRegistrationRequestID", "CSSRegistrationID");
                Rename(item["payload"]!["CustomBlock"]!["B002"]!.AsObject(), "incomingSupplierEffectiveFromDate", "supplierEffectiveFromDate");
                FixMpan(item);
            }),
        ["IF-043"] = new(true, ["$[0].payload.CommonBlock.S0"], "one object, not an array; InterfaceID; MPAN check digit wrong",
            item => { RenameInterfaceId(item); FixMpan(item); }),
        ["IF-044"] = new(true, ["$[0].payload.CommonBlock.S0", "$[0].payload.CommonBlock.S0.InterfaceID"], "one object, not an array; InterfaceID; MPAN check digit wrong",
            item => { RenameInterfaceId(item); FixMpan(item); }),
        ["REP-002"] = new(false, ["$[0].payload.CommonBlock.S0.eventCode"],
            "eventCode [DUoSLDSOAggData] is not REP-002's event ([DUOSSupplierAggData]); the example's schemaVersion 006 and sender role (ECS in the reference, SUP in S1) disagree with the schema too"),
    };

    private static readonly JsonObject Description = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Qualify.RepoRoot, "data/dip-api/dip-api-2.2.1.openapi.json")))!;

    /// <summary>Names of the example requests of POST /dip-channel/{id}, read from the description.</summary>
    public static IEnumerable<string> ExampleNames() =>
        Description["paths"]!["/dip-channel/{id}"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject().Select(p => p.Key);

    private static JsonNode Example(string name) => Description["components"]!["examples"]![name]!["value"]!.DeepClone();

    private static string ChannelOf(JsonNode example)
    {
        var item = example is JsonArray a ? a[0]! : example;
        var s0 = item["payload"]!["CommonBlock"]!["S0"]!;
        return (s0["interfaceID"] ?? s0["InterfaceID"] ?? s0["interfaceId"])!.GetValue<string>();
    }

    [TestCaseSource(nameof(ExampleNames))]
    public async Task Published_example_is_accepted_or_refused_for_exactly_its_listed_defects(string name)
    {
        await using var host = new DipTestHost();
        var example = Example(name);
        var channel = ChannelOf(example);
        var (status, body, _) = await host.PostAsync("/dip-channel/" + channel, example.ToJsonString());
        if (!Known.TryGetValue(name, out var defects))
        {
            Assert.That(status, Is.EqualTo(201), $"{name} is not listed as defective, so it must be accepted: {body}");
            return;
        }
        Assert.That(status, Is.EqualTo(400), $"{name} is listed as defective ({defects.Reason}) but was not refused: {body}");
        Assert.That(DipTestHost.Messages(body), Has.All.EqualTo(DipEmulator.SchemaFailure));
        var help = string.Join(" | ", DipTestHost.Help(body));
        if (defects.NotAnArray)
        {
            Assert.That(help, Does.Contain("$: the body must be a JSON array"), help);
            // The same message as an array must then be refused for its field defects.
            (status, body, _) = await host.PostAsync("/dip-channel/" + channel, new JsonArray(example).ToJsonString());
            Assert.That(status, Is.EqualTo(400));
            help = string.Join(" | ", DipTestHost.Help(body));
        }
        foreach (var field in defects.Fields)
            Assert.That(help, Does.Contain(field + ":"), $"{name}: the refusal should name {field} ({defects.Reason})");
    }

    public static IEnumerable<string> CorrectableExamples() => Known.Where(k => k.Value.Correct is not null).Select(k => k.Key);

    [TestCaseSource(nameof(CorrectableExamples))]
    public async Task Published_example_with_its_listed_defects_corrected_is_accepted(string name)
    {
        await using var host = new DipTestHost();
        var example = Example(name);
        var items = example as JsonArray ?? new JsonArray(example);
        foreach (var item in items) Known[name].Correct!((JsonObject)item!);
        var (status, body, _) = await host.PostAsync("/dip-channel/" + ChannelOf(example), items.ToJsonString());
        Assert.That(status, Is.EqualTo(201), body?.ToJsonString());
        Assert.That(body!["messageArray"]![0]!["transactionID"]!.GetValue<string>(), Does.StartWith("T-" + ChannelOf(example)));
    }

    // ---- schema mutations ----------------------------------------------------------------------

    /// <summary>Valid messages to mutate: the corrected examples and a constructed IF-031.</summary>
    public static IEnumerable<string> ValidSources() => CorrectableExamples().Append("constructed IF-031");

    private static JsonObject Source(string name)
    {
        if (name == "constructed IF-031") return DipTestHost.ValidIf031();
        var example = Example(name);
        var item = (JsonObject)(example is JsonArray a ? a[0]! : example);
        Known[name].Correct!(item);
        return item;
    }

    /// <summary>One way to break the schema and the field the refusal must name.</summary>
    public static IEnumerable<TestCaseData> Mutations()
    {
        foreach (var source in ValidSources())
        {
            yield return new TestCaseData(source, "missing required field", "senderDIPID",
                (Action<JsonObject>)(m => m["payload"]!["CommonBlock"]!["S1"]!.AsObject().Remove("senderDIPID"))).SetArgDisplayNames(source, "missing required");
            yield return new TestCaseData(source, "wrong type", "$[0].payload.CommonBlock.M0.MPANCore",
                (Action<JsonObject>)(m => m["payload"]!["CommonBlock"]!["M0"]!["MPANCore"] = 2300000000019)).SetArgDisplayNames(source, "wrong type");
            yield return new TestCaseData(source, "extra property", "$[0].payload.CommonBlock.S1.favouriteColour",
                (Action<JsonObject>)(m => m["payload"]!["CommonBlock"]!["S1"]!["favouriteColour"] = "blue")).SetArgDisplayNames(source, "extra property");
            yield return new TestCaseData(source, "bad enum", "$[0].payload.CommonBlock.S1.environmentTag",
                (Action<JsonObject>)(m => m["payload"]!["CommonBlock"]!["S1"]!["environmentTag"] = "PROD")).SetArgDisplayNames(source, "bad enum");
            yield return new TestCaseData(source, "bad pattern", "$[0].payload.CommonBlock.S1.senderUniqueReference",
                (Action<JsonObject>)(m => m["payload"]!["CommonBlock"]!["S1"]!["senderUniqueReference"] = "REF-0001")).SetArgDisplayNames(source, "bad pattern");
        }
    }

    [TestCaseSource(nameof(Mutations))]
    public async Task Schema_breaking_mutation_is_refused_naming_the_field(string source, string mutation, string field, Action<JsonObject> mutate)
    {
        await using var host = new DipTestHost();
        var item = Source(source);
        var channel = ChannelOf(item);
        // The unmutated message is accepted, so the refusal below is the mutation's doing.
        var (okStatus, okBody, _) = await host.PostAsync("/dip-channel/" + channel, DipTestHost.Array(item));
        Assert.That(okStatus, Is.EqualTo(201), okBody?.ToJsonString());

        var broken = (JsonObject)item.DeepClone();
        mutate(broken);
        var (status, body, _) = await host.PostAsync("/dip-channel/" + channel, DipTestHost.Array(broken));
        Assert.That(status, Is.EqualTo(400), $"{mutation}: {body}");
        Assert.That(DipTestHost.Messages(body), Is.EqualTo(new[] { DipEmulator.SchemaFailure }));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain(field), mutation);
    }
}
