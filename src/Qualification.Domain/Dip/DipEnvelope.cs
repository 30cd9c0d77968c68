using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Qualification.Domain.Dip;

// The DIP message envelope as the DIP API description v2.2.1 defines it. Property names are the
// wire names; every block sets additionalProperties:false there, so nothing extra is written.

/// <summary>S0: which interface, schema version and event a message is.</summary>
public sealed record S0Block(
    [property: JsonPropertyName("interfaceID")] string InterfaceId,
    [property: JsonPropertyName("schemaVersion")] string SchemaVersion,
    [property: JsonPropertyName("eventCode")] string EventCode);

/// <summary>S1: who sent it, when, and the sender's unique reference.</summary>
public sealed record S1Block(
    [property: JsonPropertyName("environmentTag")] string EnvironmentTag,
    [property: JsonPropertyName("subText")] string? SubText,
    [property: JsonPropertyName("senderUniqueReference")] string SenderUniqueReference,
    [property: JsonPropertyName("senderTimestamp")] string SenderTimestamp,
    [property: JsonPropertyName("senderDIPID")] string SenderDipId,
    [property: JsonPropertyName("senderRoleID")] string SenderRoleId,
    [property: JsonPropertyName("senderCorrelationID")] string? SenderCorrelationId,
    [property: JsonPropertyName("DIPConnectionProviderID")] string? DipConnectionProviderId);

/// <summary>A0: addressing. Primary recipients are set by the sender; the rest by the DIP.</summary>
public sealed record A0Block(
    [property: JsonPropertyName("primaryRecipients")] IReadOnlyList<string> PrimaryRecipients,
    [property: JsonPropertyName("secondaryRecipients")] IReadOnlyList<string> SecondaryRecipients,
    [property: JsonPropertyName("always")] IReadOnlyList<string> Always);

/// <summary>D0: added by the DIP on every publication it delivers.</summary>
public sealed record D0Block(
    [property: JsonPropertyName("transactionID")] string TransactionId,
    [property: JsonPropertyName("transactionTimestamp")] string TransactionTimestamp,
    [property: JsonPropertyName("publicationID")] string PublicationId,
    [property: JsonPropertyName("initialCorrelationID")] string? InitialCorrelationId,
    [property: JsonPropertyName("replayIndicator")] bool ReplayIndicator,
    [property: JsonPropertyName("serviceTicketURL")] string? ServiceTicketUrl);

/// <summary>M0: the metering point a message is about.</summary>
public sealed record M0Block(
    [property: JsonPropertyName("MPANCore")] string MpanCore,
    [property: JsonPropertyName("distributorDIPID")] string DistributorDipId,
    [property: JsonPropertyName("GSPGroupID")] string GspGroupId);

/// <summary>M1: the principal metering point of a relationship (IF-019, IF-020) instead of M0.</summary>
public sealed record M1Block(
    [property: JsonPropertyName("principalMPAN")] string PrincipalMpan,
    [property: JsonPropertyName("distributorDIPID")] string DistributorDipId,
    [property: JsonPropertyName("GSPGroupID")] string GspGroupId);

/// <summary>R0: the outcome carried by response interfaces (A accepted, R rejected, L lapsed, W warning).</summary>
public sealed record R0Block(
    [property: JsonPropertyName("responseCode")] string ResponseCode,
    [property: JsonPropertyName("responseMessages")] IReadOnlyList<string> ResponseMessages);

/// <summary>The common block of every DIP message. M0 names the metering point; relationship
/// interfaces (IF-019, IF-020) carry M1 with the principal metering point instead.</summary>
public sealed record CommonBlock(
    [property: JsonPropertyName("S0")] S0Block S0,
    [property: JsonPropertyName("S1")] S1Block S1,
    [property: JsonPropertyName("M0"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] M0Block? M0)
{
    /// <summary>Principal metering point of a relationship message.</summary>
    [JsonPropertyName("M1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public M1Block? M1 { get; init; }

    /// <summary>Addressing; optional.</summary>
    [JsonPropertyName("A0"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public A0Block? A0 { get; init; }

    /// <summary>DIP block; only on egress.</summary>
    [JsonPropertyName("D0"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public D0Block? D0 { get; init; }

    /// <summary>Response block; only on response interfaces that define it.</summary>
    [JsonPropertyName("R0"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public R0Block? R0 { get; init; }
}

/// <summary>One message payload: the common block and the interface's custom block (kept as JSON, since each interface shapes it differently).</summary>
public sealed record DipPayload(
    [property: JsonPropertyName("CommonBlock")] CommonBlock CommonBlock,
    [property: JsonPropertyName("CustomBlock")] JsonObject CustomBlock);

/// <summary>One item of the array a DIP channel takes or delivers: <c>{"payload": {...}}</c>.</summary>
public sealed record DipMessage([property: JsonPropertyName("payload")] DipPayload Payload)
{
    /// <summary>Serializer settings for DIP wire JSON.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        // Wire JSON, not HTML: keep "+" in offsets and "£" in text as they are, not \u escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The interface id from S0, e.g. "IF-031".</summary>
    [JsonIgnore] public string InterfaceId => Payload.CommonBlock.S0.InterfaceId;

    /// <summary>The event code from S0 with its brackets, e.g. "[MSApp]".</summary>
    [JsonIgnore] public string EventCode => Payload.CommonBlock.S0.EventCode;

    /// <summary>The MPAN core from M0 (or the principal MPAN from M1).</summary>
    [JsonIgnore] public string Mpan => Payload.CommonBlock.M0?.MpanCore ?? Payload.CommonBlock.M1?.PrincipalMpan ?? "";

    /// <summary>Serializes an array of messages as a DIP channel body.</summary>
    public static string ToArrayJson(IEnumerable<DipMessage> messages) => JsonSerializer.Serialize(messages, Json);

    /// <summary>This message as a JSON node.</summary>
    public JsonNode ToNode() => JsonSerializer.SerializeToNode(this, Json)!;

    /// <summary>Reads one message from a JSON node.</summary>
    public static DipMessage FromNode(JsonNode node) =>
        node.Deserialize<DipMessage>(Json) ?? throw new JsonException("A DIP message item was null.");
}

/// <summary>Builds the sender references and ids the DIP API description prescribes.</summary>
public static class DipIds
{
    /// <summary>
    /// A sender unique reference, <c>S-IF-031-&lt;DIP id&gt;-&lt;role&gt;-&lt;yyyymmdd&gt;-&lt;unique&gt;</c>,
    /// matching DT-995's pattern.
    /// </summary>
    public static string SenderUniqueReference(string interfaceId, string dipId, string role, DateOnly date, string unique) =>
        $"S-{interfaceId}-{dipId}-{role}-{date:yyyyMMdd}-{unique}";

    /// <summary>A DIP transaction id (DT-014, ≤ 65 characters): <c>T-IF-006-&lt;DIP id&gt;-&lt;role&gt;-&lt;yyyymmdd&gt;-&lt;hex&gt;</c>.</summary>
    public static string TransactionId(string interfaceId, string dipId, string role, DateOnly date, long sequence) =>
        $"T-{interfaceId}-{dipId}-{role}-{date:yyyyMMdd}-{sequence:X16}";

    /// <summary>The publication id for an interface: IF-031 → PUB-031.</summary>
    public static string PublicationId(string interfaceId) =>
        interfaceId.StartsWith("IF-", StringComparison.Ordinal) ? "PUB-" + interfaceId[3..] : interfaceId;
}
