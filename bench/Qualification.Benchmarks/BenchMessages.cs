using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;

/// <summary>Messages the DIP benchmarks send: one shape, so their figures compare.</summary>
internal static class BenchMessages
{
    /// <summary>
    /// An IF-004 [CommsHubInfo] from a Smart metering service routed to one supplier (A0), as the
    /// body of a DIP POST. Its senderUniqueReference ends in "UNIQUE" for the sender to replace.
    /// </summary>
    public static string CommsHubTemplate(string service, string supplier)
    {
        var custom = new JsonObject
        {
            ["B093"] = new JsonObject
            {
                ["commsHubActivity"] = "1", ["commsHubSerialNumber"] = "CH0001", ["commsHubGUID"] = "00-DB-12-34-56-78-9A-BC",
                ["GPFGasGUID"] = null, ["commsHubInstallationDate"] = "2026-01-05T09:00:00+00:00", ["commsHubFWVersion"] = null,
            },
        };
        var payload = DipMessageFactory.Payload("IF-004", "[CommsHubInfo]", service, "MSS", new M0Block("2300000000019", "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 10, 0), custom);
        payload = payload with
        {
            CommonBlock = payload.CommonBlock with
            {
                A0 = new A0Block([supplier], [], []),
                S1 = payload.CommonBlock.S1 with { SenderUniqueReference = $"S-IF-004-{service}-MSS-20260105-UNIQUE" },
            },
        };
        return DipMessage.ToArrayJson([new DipMessage(payload)]);
    }
}
