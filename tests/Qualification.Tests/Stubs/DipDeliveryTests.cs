using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;

namespace Qualification.Tests.Stubs;

/// <summary>Publications pushed to webhooks: signing, retries, webhook configuration, delivery status, replay, requeue and routing.</summary>
public class DipDeliveryTests
{
    private const string Regs = "1000000001";

    private static DipPayload Publication(string unique, string mpan = "2300000000019", string eventCode = "[MSAppInitialResp]")
    {
        var custom = new JsonObject { ["B070"] = new JsonObject { ["appointmentScenario"] = "COS" } };
        var payload = DipMessageFactory.Payload("IF-032", eventCode, Regs, "REGS", new M0Block(mpan, "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 10, 0), custom);
        return payload with { CommonBlock = payload.CommonBlock with { S1 = payload.CommonBlock.S1 with { SenderUniqueReference = $"S-IF-032-{Regs}-REGS-20260105-{unique}" } } };
    }

    private static DipTestHost HostWithWebhook(FakeWebhook webhook, DipEmulatorOptions? options = null)
    {
        var supplier = DipTestHost.Supplier with { CallbackUrl = webhook.Url };
        return new DipTestHost((options ?? new DipEmulatorOptions()) with { RetryBackoff = TimeSpan.FromMilliseconds(10) }, supplier, DipTestHost.MeteringService);
    }

    private static string MessageRequest(string? mpan = null, string? eventCode = null, string[]? transactionIds = null)
    {
        var body = new JsonObject { ["datetimeFrom"] = null, ["datetimeTo"] = null, ["eventCode"] = eventCode, ["MPAN"] = mpan, ["version"] = null };
        if (transactionIds is not null) body["transactionIDs"] = new JsonArray(transactionIds.Select(t => (JsonNode?)t).ToArray());
        return body.ToJsonString();
    }

    [Test]
    public async Task Recipient_answering_500_twice_then_201_gets_the_message_once_with_three_attempts_journalled()
    {
        using var webhook = new FakeWebhook(500, 500);
        await using var host = HostWithWebhook(webhook);
        await host.Dip.PublishAsync(Publication("RETRY1"), [DipTestHost.Supplier.DipId]);

        var received = await webhook.WaitForAsync(3);
        Assert.That(received, Has.Count.EqualTo(3));
        Assert.That(received.Select(r => r.Body).Distinct().Count(), Is.EqualTo(1), "every attempt carries the same message");
        var pushes = host.Journal.Records.Where(r => r.Kind == JournalKind.Push).ToList();
        Assert.That(pushes.Select(p => p.Status), Is.EqualTo(new int?[] { 500, 500, 201 }));
        Assert.That(pushes.Select(p => p.TransactionId).Distinct().Count(), Is.EqualTo(1));
        Assert.That(pushes.Select(p => p.To), Has.All.EqualTo(DipTestHost.Supplier.DipId));
        Assert.That(pushes.Select(p => p.Url), Has.All.EqualTo(webhook.Url.ToString()));
        Assert.That(pushes.Count(p => p.Status is >= 200 and < 300), Is.EqualTo(1), "accepted once");

        // The delivery status reports every stage, in the description's DIPJournalRecord shape.
        var reference = $"S-IF-032-{Regs}-REGS-20260105-RETRY1";
        var (status, record, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{DipTestHost.Supplier.DipId}/{reference}");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(host.Dip.Schemas.Validate("DIPJournalRecord", record, "$"), Is.Empty, record!.ToJsonString());
        var stages = record["JournalEntries"]!.AsArray().Select(e => $"{e!["DIPStage"]}:{e["Status"]}").ToList();
        Assert.That(stages, Is.EqualTo(new[]
        {
            "Inbound:GoodToGo", "Addressing:SentToTopic",
            "Outbound:RejectedByRecipient", "Outbound:Retrying", "Outbound:RejectedByRecipient", "Outbound:Retrying", "Outbound:Delivered",
        }));
        Assert.That(record["DIPTransactionID"]!.GetValue<string>(), Is.EqualTo(pushes[0].TransactionId));
        var (unknown, _, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{DipTestHost.Supplier.DipId}/S-IF-032-{Regs}-REGS-20260105-NOSUCH");
        Assert.That(unknown, Is.EqualTo(204));
    }

    [Test]
    public async Task Exhausted_retries_are_reported_as_such()
    {
        using var webhook = new FakeWebhook(503, 503, 503);
        await using var host = HostWithWebhook(webhook);
        await host.Dip.PublishAsync(Publication("EXHAUST"), [DipTestHost.Supplier.DipId]);
        var pushes = host.Journal.Records.Where(r => r.Kind == JournalKind.Push).ToList();
        Assert.That(pushes, Has.Count.EqualTo(3));
        Assert.That(pushes[^1].Note, Does.Contain("RetriesExhausted"));
        var (_, record, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{DipTestHost.Supplier.DipId}/S-IF-032-{Regs}-REGS-20260105-EXHAUST");
        Assert.That(record!["JournalEntries"]!.AsArray().Last()!["Status"]!.GetValue<string>(), Is.EqualTo("RetriesExhausted"));
    }

    [Test]
    public async Task Pushes_arrive_signed_and_verify_with_the_certificate_they_carry()
    {
        using var webhook = new FakeWebhook();
        await using var host = HostWithWebhook(webhook, new DipEmulatorOptions { Signing = SigningPolicy.Required });
        await host.Dip.PublishAsync(Publication("SIGNED"), [DipTestHost.Supplier.DipId]);
        var push = (await webhook.WaitForAsync(1))[0];

        var check = DipSignature.Verify("POST", push.Url, Encoding.UTF8.GetBytes(push.Body), h => push.Headers.GetValueOrDefault(h), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        Assert.That(check.Valid, Is.True, check.Problem);
        Assert.That(check.Certificate!.Thumbprint, Is.EqualTo(host.Dip.SigningCertificate!.Thumbprint));
        // The exported PEM is what a candidate pins.
        Assert.That(host.Dip.SigningCertificatePath, Does.Exist);
        var exported = X509Certificate2.CreateFromPem(File.ReadAllText(host.Dip.SigningCertificatePath!));
        Assert.That(exported.Thumbprint, Is.EqualTo(check.Certificate.Thumbprint));
        Assert.That(File.ReadAllText(host.Dip.SigningCertificatePath!), Does.Not.Contain("PRIVATE KEY"));

        // The same push with its body changed does not verify.
        var tampered = DipSignature.Verify("POST", push.Url, Encoding.UTF8.GetBytes(push.Body.Replace("COS", "CSP")), h => push.Headers.GetValueOrDefault(h), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        Assert.That(tampered.Valid, Is.False);
    }

    [Test]
    public async Task Pubconfig_registers_and_removes_a_channel_webhook()
    {
        using var webhook = new FakeWebhook();
        await using var host = new DipTestHost(new DipEmulatorOptions { RequireApiKey = true });
        var supplier = DipTestHost.Supplier.DipId;
        var config = new JsonObject { ["callbackURL"] = webhook.Url.ToString(), ["maxMessageCount"] = 100, ["maxPayloadSize"] = 100000 }.ToJsonString();
        var (created, _, _) = await host.PostAsync($"/dip-channel/IF-032/pubconfig/{supplier}", config, DipTestHost.Supplier.ApiKey);
        var (forbidden, _, _) = await host.PostAsync($"/dip-channel/IF-032/pubconfig/{supplier}", config, DipTestHost.MeteringService.ApiKey);
        var (invalid, invalidBody, _) = await host.PostAsync($"/dip-channel/IF-032/pubconfig/{supplier}", "{\"callbackURL\":\"not a url\"}", DipTestHost.Supplier.ApiKey);
        Assert.Multiple(() =>
        {
            Assert.That(created, Is.EqualTo(201));
            Assert.That(forbidden, Is.EqualTo(403));
            Assert.That(invalid, Is.EqualTo(400));
            Assert.That(DipTestHost.Help(invalidBody)[0], Does.Contain("$.callbackURL"));
        });

        await host.Dip.PublishAsync(Publication("HOOK1"), [supplier]);
        Assert.That(await webhook.WaitForAsync(1), Has.Count.EqualTo(1));

        var (deleted, _, _) = await host.SendAsync(HttpMethod.Delete, $"/dip-channel/IF-032/pubconfig/{supplier}", null, ("X-API-Key", DipTestHost.Supplier.ApiKey!));
        Assert.That(deleted, Is.EqualTo(204));
        await host.Dip.PublishAsync(Publication("HOOK2"), [supplier]);
        Assert.That(webhook.Requests, Has.Count.EqualTo(1), "after DELETE nothing goes to the removed webhook");
        var last = host.Journal.Records.Last(r => r.Kind == JournalKind.Push);
        Assert.That(last.Url, Is.Null);
    }

    [Test]
    public async Task Replay_returns_exactly_the_filtered_messages_paged_and_marked_as_replays()
    {
        using var webhook = new FakeWebhook();
        await using var host = HostWithWebhook(webhook, new DipEmulatorOptions { ReplayPageSize = 2 });
        var supplier = DipTestHost.Supplier.DipId;
        const string mpanA = "2300000000019", mpanB = "1412345678901";
        for (var i = 0; i < 5; i++) await host.Dip.PublishAsync(Publication("A" + i, mpanA), [supplier]);
        await host.Dip.PublishAsync(Publication("B0", mpanB), [supplier]);
        await host.Dip.PublishAsync(Publication("B1", mpanB, "[DSAppInitialResp]"), [supplier]);
        await host.Dip.PublishAsync(Publication("OTHER", mpanA), [DipTestHost.MeteringService.DipId]);
        var published = host.Journal.Records.Where(r => r.Kind == JournalKind.Push && r.To == supplier).ToList();
        var expectedA = published.Where(p => p.Mpan == mpanA).Select(p => p.TransactionId!).ToList();
        Assert.That(expectedA, Has.Count.EqualTo(5));

        // Page through MPAN A: 2 + 2 + 1.
        var got = new List<JsonNode>();
        var statuses = new List<int>();
        string? token = null;
        do
        {
            var headers = token is null ? Array.Empty<(string, string)>() : [("X-Continuation-Token", token)];
            var (status, page, response) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", MessageRequest(mpan: mpanA), headers);
            statuses.Add(status);
            got.AddRange(page!.AsArray().Select(n => n!));
            token = response.Headers.TryGetValues("X-Continuation-Token", out var values) ? values.First() : null;
            Assert.That(token is null, Is.EqualTo(status == 200), "206 carries a continuation token; 200 ends the replay");
        } while (token is not null && statuses.Count < 10);
        Assert.That(statuses, Is.EqualTo(new[] { 206, 206, 200 }));
        Assert.That(got.Select(m => m["payload"]!["CommonBlock"]!["D0"]!["transactionID"]!.GetValue<string>()), Is.EqualTo(expectedA));
        Assert.That(got.Select(m => m["payload"]!["CommonBlock"]!["D0"]!["replayIndicator"]!.GetValue<bool>()), Has.All.True);
        Assert.That(got.Select(m => m["payload"]!["CommonBlock"]!["M0"]!["MPANCore"]!.GetValue<string>()), Has.All.EqualTo(mpanA));
        // The D0 block the DIP adds matches the description's D0 schema (the test payloads themselves are not full IF-032s).
        foreach (var m in got) Assert.That(host.Dip.Schemas.Validate("D0", m["payload"]!["CommonBlock"]!["D0"], "$.D0"), Is.Empty);

        // Event code and transaction id filters.
        var (_, byEvent, _) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", MessageRequest(eventCode: "[DSAppInitialResp]"));
        Assert.That(byEvent!.AsArray().Select(m => m!["payload"]!["CommonBlock"]!["S1"]!["senderUniqueReference"]!.GetValue<string>()), Is.EqualTo(new[] { $"S-IF-032-{Regs}-REGS-20260105-B1" }));
        var (_, byId, _) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", MessageRequest(transactionIds: [expectedA[1], expectedA[3]]));
        Assert.That(byId!.AsArray().Select(m => m!["payload"]!["CommonBlock"]!["D0"]!["transactionID"]!.GetValue<string>()), Is.EqualTo(new[] { expectedA[1], expectedA[3] }));

        // A token only continues the replay it was issued for; a body that breaks MessageRequest is refused.
        var (_, _, first) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", MessageRequest(mpan: mpanA));
        var foreign = first.Headers.GetValues("X-Continuation-Token").First();
        var (mismatch, _, _) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", MessageRequest(mpan: mpanB), ("X-Continuation-Token", foreign));
        var (badRequest, badBody, _) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/replay/{supplier}", "{\"MPAN\":\"123\"}");
        Assert.That(mismatch, Is.EqualTo(400));
        Assert.That(badRequest, Is.EqualTo(400));
        Assert.That(DipTestHost.Help(badBody)[0], Does.Contain("datetimeFrom").And.Contain("$.MPAN"));
    }

    [Test]
    public async Task Requeue_redelivers_the_filtered_messages_and_reports_its_progress()
    {
        using var webhook = new FakeWebhook();
        await using var host = HostWithWebhook(webhook);
        var supplier = DipTestHost.Supplier.DipId;
        await host.Dip.PublishAsync(Publication("Q1"), [supplier]);
        await host.Dip.PublishAsync(Publication("Q2", "1412345678901"), [supplier]);
        await webhook.WaitForAsync(2);

        var (status, id, _) = await host.SendAsync(HttpMethod.Post, $"/dip-channel/IF-032/requeue/{supplier}", MessageRequest(mpan: "1412345678901"));
        Assert.That(status, Is.EqualTo(202));
        var requeueId = id!.GetValue<string>();
        JsonNode? progress = null;
        for (var i = 0; i < 100; i++)
        {
            (_, progress, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/requeueStatus/{supplier}?requeue-id={Uri.EscapeDataString(requeueId)}");
            if (progress?[0]?["status"]?.GetValue<string>() != "Processing") break;
            await Task.Delay(50);
        }
        Assert.That(progress![0]!["status"]!.GetValue<string>(), Is.EqualTo("Completed"));
        Assert.That(progress[0]!["totalTransactions"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(host.Dip.Schemas.Validate("RequeueStatusArray", progress, "$"), Is.Empty);
        var received = await webhook.WaitForAsync(3);
        var again = JsonNode.Parse(received[2].Body)![0]!["payload"]!;
        Assert.That(again["CommonBlock"]!["M0"]!["MPANCore"]!.GetValue<string>(), Is.EqualTo("1412345678901"));
        Assert.That(again["CommonBlock"]!["D0"]!["replayIndicator"]!.GetValue<bool>(), Is.True);
        var (none, _, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/requeueStatus/{supplier}?requeue-id=unknown");
        Assert.That(none, Is.EqualTo(204));
    }

    [Test]
    public async Task Participant_to_participant_message_goes_to_its_A0_primary_recipients()
    {
        using var webhook = new FakeWebhook();
        await using var host = HostWithWebhook(webhook);
        var centralSaw = 0;
        host.Dip.Accepted += _ => { Interlocked.Increment(ref centralSaw); return Task.CompletedTask; };
        var mss = DipTestHost.MeteringService;
        var custom = new JsonObject
        {
            ["B093"] = new JsonObject
            {
                ["commsHubActivity"] = "1", ["commsHubSerialNumber"] = "CH0001", ["commsHubGUID"] = "00-DB-12-34-56-78-9A-BC",
                ["GPFGasGUID"] = null, ["commsHubInstallationDate"] = "2026-01-05T09:00:00+00:00", ["commsHubFWVersion"] = null,
            },
        };
        var payload = DipMessageFactory.Payload("IF-004", "[CommsHubInfo]", mss.DipId, "MSS", new M0Block("2300000000019", "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 10, 0), custom);
        payload = payload with { CommonBlock = payload.CommonBlock with { A0 = new A0Block([DipTestHost.Supplier.DipId], [], []) } };
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-004", DipMessage.ToArrayJson([new DipMessage(payload)]));
        Assert.That(status, Is.EqualTo(201), body?.ToJsonString());
        var push = (await webhook.WaitForAsync(1))[0];
        var delivered = JsonNode.Parse(push.Body)![0]!["payload"]!["CommonBlock"]!;
        Assert.That(delivered["S1"]!["senderDIPID"]!.GetValue<string>(), Is.EqualTo(mss.DipId));
        Assert.That(delivered["D0"]!["transactionID"]!.GetValue<string>(), Is.EqualTo(body!["messageArray"]![0]!["transactionID"]!.GetValue<string>()));
        Assert.That(delivered["D0"]!["publicationID"]!.GetValue<string>(), Is.EqualTo("PUB-004"));
        // The push is journalled once the webhook has answered, so wait for the record rather than race it.
        for (var i = 0; i < 200 && !host.Journal.Records.Any(r => r.Kind == JournalKind.Push); i++) await Task.Delay(25);
        var record = host.Journal.Records.Single(r => r.Kind == JournalKind.Push);
        Assert.That(record.To, Is.EqualTo(DipTestHost.Supplier.DipId));
        Assert.That(record.Status, Is.EqualTo(201));
    }
}
