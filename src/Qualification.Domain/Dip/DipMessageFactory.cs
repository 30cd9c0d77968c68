using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Market;

namespace Qualification.Domain.Dip;

/// <summary>Builds DIP messages with a well-formed common block, so senders only write their custom block.</summary>
public static class DipMessageFactory
{
    /// <summary>The schema version of the DIP API description this harness speaks (v2.2.1 → "011").</summary>
    public const string SchemaVersion = "011";

    /// <summary>Creates a payload for <paramref name="interfaceId"/>/<paramref name="eventCode"/>.</summary>
    /// <param name="interfaceId">e.g. IF-031.</param>
    /// <param name="eventCode">with brackets, e.g. [MSApp].</param>
    /// <param name="senderDipId">10-character DIP id.</param>
    /// <param name="senderRole">DIP role id.</param>
    /// <param name="m0">The metering point block (null for relationship interfaces, which carry M1: set it with <c>with</c>).</param>
    /// <param name="sentAt">Sender timestamp.</param>
    /// <param name="customBlock">The interface's custom block.</param>
    /// <param name="correlationId">Carried in S1.senderCorrelationID.</param>
    /// <param name="environmentTag">PRD, SIT, …</param>
    /// <param name="primaryRecipients">For participant-to-participant interfaces: who the DIP delivers to (A0).</param>
    public static DipPayload Payload(string interfaceId, string eventCode, string senderDipId, string senderRole, M0Block? m0,
        Instant sentAt, JsonObject customBlock, string? correlationId = null, string environmentTag = "SIT", IReadOnlyList<string>? primaryRecipients = null)
    {
        var unique = Guid.NewGuid().ToString("N")[..16];
        var s1 = new S1Block(environmentTag, null,
            DipIds.SenderUniqueReference(interfaceId, senderDipId, senderRole, DateOnly.FromDateTime(sentAt.ToDateTimeUtc()), unique),
            MarketTime.ToDip(sentAt), senderDipId, senderRole, correlationId, null);
        var common = new CommonBlock(new S0Block(interfaceId, SchemaVersion, eventCode), s1, m0);
        if (primaryRecipients is { Count: > 0 }) common = common with { A0 = new A0Block(primaryRecipients, [], []) };
        return new DipPayload(common, customBlock);
    }

    /// <summary>Reads a string from a path of property names in a JSON object; null when absent.</summary>
    public static string? Text(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node?[p];
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node is JsonValue other ? other.ToString() : null;
    }
}
