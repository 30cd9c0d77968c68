using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Stubs.Dip;

namespace Qualification.Tests.Stubs;

/// <summary>
/// What the DIP keeps per message (duplicate detection, delivery-status tracks, publications) is
/// kept compactly; these check that it still answers as the published API describes, beyond the
/// retained window and when a message is described again.
/// </summary>
public class DipRetentionTests
{
    private const string Regs = "1000000001";

    private static string Reference(int i) => $"S-IF-031-{DipTestHost.Supplier.DipId}-SUP-20260105-R{i:D6}";

    [Test]
    public async Task A_reference_stays_a_duplicate_after_its_message_has_left_the_retained_window()
    {
        // The default window (20,000 messages) and 100 more, posted in arrays of 2,010 items.
        var retained = new DipEmulatorOptions().RetainedMessages;
        await using var host = new DipTestHost();
        var transactions = new List<string>();
        for (var first = 0; first < retained + 100; first += 2_010)
        {
            var items = Enumerable.Range(first, Math.Min(2_010, retained + 100 - first)).Select(i => (JsonNode)DipTestHost.ValidIf031($"R{i:D6}")).ToArray();
            var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(items));
            Assert.That(status, Is.EqualTo(201), DipTestHost.Help(body).FirstOrDefault(h => h.Length > 0));
            transactions.AddRange(body!["messageArray"]!.AsArray().Select(m => m!["transactionID"]!.GetValue<string>()));
        }
        Assert.That(transactions, Has.Count.EqualTo(retained + 100));
        Assert.That(transactions.Distinct().Count(), Is.EqualTo(transactions.Count));

        // The oldest message's delivery status is forgotten; the oldest still retained answers in full.
        var (forgotten, _, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{Regs}/{Reference(0)}");
        var (kept, record, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{Regs}/{Reference(100)}");
        Assert.Multiple(() =>
        {
            Assert.That(forgotten, Is.EqualTo(204));
            Assert.That(kept, Is.EqualTo(200));
            Assert.That(host.Dip.Schemas.Validate("DIPJournalRecord", record, "$"), Is.Empty, record?.ToJsonString());
            Assert.That(record!["DIPTransactionID"]!.GetValue<string>(), Is.EqualTo(transactions[100]));
            Assert.That(record["SenderUniqueReference"]!.GetValue<string>(), Is.EqualTo(Reference(100)));
            Assert.That(record["JournalEntries"]!.AsArray().Select(e => $"{e!["DIPStage"]}:{e["Status"]}:{e["rn"]}"),
                Is.EqualTo(new[] { "Inbound:GoodToGo:1", "Addressing:SentToTopic:2", "Outbound:Delivered:3" }));
        });

        // The first reference and one from the middle are still refused, naming the transaction each was accepted as.
        foreach (var i in new[] { 0, 12_345 })
        {
            var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031($"R{i:D6}")));
            Assert.Multiple(() =>
            {
                Assert.That(status, Is.EqualTo(400));
                Assert.That(DipTestHost.Messages(body), Is.EqualTo(new[] { DipEmulator.DuplicateMessage }));
                Assert.That(DipTestHost.Help(body)[0], Is.EqualTo(
                    $"$[0].payload.CommonBlock.S1.senderUniqueReference: '{Reference(i)}' was already accepted from {DipTestHost.Supplier.DipId} as transaction {transactions[i]}; "
                    + "a sender unique reference is used once (a retry after a success is a duplicate, not a new message)"));
            });
        }
        // A reference never sent, differing from a used one only in its last character, is accepted.
        var (fresh, _, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031($"R{retained + 100:D6}")));
        Assert.That(fresh, Is.EqualTo(201));

        // The refused repeat of a forgotten message starts a new track holding just its refusal.
        var (_, again, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{Regs}/{Reference(0)}");
        var entry = again!["JournalEntries"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(entry["Status"]!.GetValue<string>(), Is.EqualTo("InboundRuleFailure"));
            Assert.That(entry["Message"]!.GetValue<string>(), Is.EqualTo(DipEmulator.DuplicateMessage));
            Assert.That(entry["DIPTransactionID"], Is.Null);
        });
    }

    [Test]
    public async Task Delivery_status_entries_keep_the_fields_they_were_recorded_with_in_the_published_shape()
    {
        await using var host = new DipTestHost();
        var supplier = DipTestHost.Supplier.DipId;
        var service = DipTestHost.MeteringService.DipId;
        var custom = new JsonObject { ["B070"] = new JsonObject { ["appointmentScenario"] = "COS" } };
        var payload = DipMessageFactory.Payload("IF-032", "[MSAppInitialResp]", Regs, "REGS", new M0Block("2300000000019", "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 10, 0), custom);
        var reference = $"S-IF-032-{Regs}-REGS-20260105-AGAIN";
        payload = payload with { CommonBlock = payload.CommonBlock with { S1 = payload.CommonBlock.S1 with { SenderUniqueReference = reference } } };
        // Published to both parties with one correlation id, then to the supplier again with another.
        await host.Dip.PublishAsync(payload, [supplier, service], "CORR-FIRST");
        await host.Dip.PublishAsync(payload, [supplier], "CORR-SECOND");

        var (status, record, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{supplier}/{reference}");
        var (_, forService, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{service}/{reference}");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(host.Dip.Schemas.Validate("DIPJournalRecord", record, "$"), Is.Empty, record!.ToJsonString());
        var entries = record["JournalEntries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var pushes = host.Journal.Records.Where(r => r.Kind == Qualification.Domain.Evidence.JournalKind.Push).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => $"{e["DIPStage"]}:{e["Status"]}:{e["DIPCorrelationID"]}:{e["rn"]}"), Is.EqualTo(new[]
            {
                "Inbound:GoodToGo:CORR-FIRST:1", "Addressing:SentToTopic:CORR-FIRST:2", "Outbound:Delivered:CORR-FIRST:3",
                "Inbound:GoodToGo:CORR-SECOND:4", "Addressing:SentToTopic:CORR-SECOND:5", "Outbound:Delivered:CORR-SECOND:6",
            }));
            Assert.That(record["DIPCorrelationID"]!.GetValue<string>(), Is.EqualTo("CORR-SECOND"));
            // The supplier's latest delivery is what its record names; the service keeps its own.
            Assert.That(record["DIPTransactionID"]!.GetValue<string>(), Is.EqualTo(pushes.Last(p => p.To == supplier).TransactionId));
            Assert.That(forService!["DIPTransactionID"]!.GetValue<string>(), Is.EqualTo(pushes.Single(p => p.To == service).TransactionId));
            Assert.That(forService["JournalEntries"]!.AsArray().Select(e => $"{e!["DIPStage"]}:{e["Recipient"]}:{e["rn"]}"),
                Is.EqualTo(new[] { "Inbound::1", "Addressing::2", $"Outbound:{service}:3", "Inbound::4", "Addressing::5" }));
            // Every entry has the description's properties, in its order, nulls written out.
            Assert.That(entries.Select(e => string.Join(",", e.Select(p => p.Key))), Has.All.EqualTo(
                "TimeGenerated,SenderDIPID,Interface,EventCode,Reason,SentDateTime,Duration,MessageDelayInMilliSeconds,SenderUniqueReference,"
                + "DIPTransactionID,DIPCorrelationID,MPANCore,DIPStage,Status,StatusCode,Message,Recipient,Recipients,RecipientMap,uri,rn"));
            Assert.That(entries[0]["Recipients"], Is.Null);
            Assert.That(entries[1]["Recipients"]!.ToJsonString(), Is.EqualTo($"[\"{supplier}\",\"{service}\"]"));
            Assert.That(entries[1]["RecipientMap"]!.ToJsonString(), Is.EqualTo(
                $"{{\"Primary\":[],\"Secondary\":[],\"Always\":[{{\"role\":\"SUP\",\"dipId\":\"{supplier}\"}},{{\"role\":\"MSS\",\"dipId\":\"{service}\"}}]}}"));
            Assert.That(entries[4]["Recipients"]!.ToJsonString(), Is.EqualTo($"[\"{supplier}\"]"));
            Assert.That(entries[0]["TimeGenerated"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$"));
            Assert.That(entries.Select(e => e["SentDateTime"]!.GetValue<string>()).Distinct().Single(), Does.Match(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"));
        });
    }
}
