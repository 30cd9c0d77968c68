using System.Text;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Stubs.Dip;

namespace Qualification.Tests.Stubs;

/// <summary>POST /dip-channel/{id}: HTTP-level refusals, per-item outcomes and the DIP's checks beyond the schema.</summary>
public class DipChannelTests
{
    private static DipTestHost KeyedHost(long maxBody = 5 * 1024 * 1024) => new(new DipEmulatorOptions { RequireApiKey = true, MaxBodyBytes = maxBody });

    [Test]
    public async Task Missing_or_unknown_api_key_is_401_when_keys_are_required()
    {
        await using var host = KeyedHost();
        var body = DipTestHost.Array(DipTestHost.ValidIf031());
        var (missing, missingBody, _) = await host.PostAsync("/dip-channel/IF-031", body);
        var (wrong, wrongBody, _) = await host.PostAsync("/dip-channel/IF-031", body, apiKey: "not-a-key");
        var (right, _, _) = await host.PostAsync("/dip-channel/IF-031", body, apiKey: DipTestHost.Supplier.ApiKey);
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.EqualTo(401));
            Assert.That(DipTestHost.Help(missingBody)[0], Does.Contain("X-API-Key header is missing"));
            Assert.That(wrong, Is.EqualTo(401));
            Assert.That(DipTestHost.Help(wrongBody)[0], Does.Contain("not registered"));
            Assert.That(right, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task Unknown_channel_is_404_unknown_path_is_404_and_wrong_method_is_405()
    {
        await using var host = KeyedHost();
        var key = ("X-API-Key", DipTestHost.Supplier.ApiKey!);
        var (channel, channelBody, _) = await host.PostAsync("/dip-channel/IF-999", DipTestHost.Array(DipTestHost.ValidIf031()), DipTestHost.Supplier.ApiKey);
        var (path, _, _) = await host.SendAsync(HttpMethod.Post, "/dip-channels/IF-031", "[]", key);
        var (method, _, response) = await host.SendAsync(HttpMethod.Get, "/dip-channel/IF-031", null, key);
        var (delete, _, _) = await host.SendAsync(HttpMethod.Put, "/dip-channel/IF-031/pubconfig/2300000012", "{}", key);
        Assert.Multiple(() =>
        {
            Assert.That(channel, Is.EqualTo(404));
            Assert.That(DipTestHost.Help(channelBody)[0], Does.Contain("IF-999"));
            Assert.That(path, Is.EqualTo(404));
            Assert.That(method, Is.EqualTo(405));
            Assert.That(response.Content.Headers.Allow, Does.Contain("POST"));
            Assert.That(delete, Is.EqualTo(405));
        });
    }

    [Test]
    public async Task Wrong_content_type_is_415_and_oversized_body_is_413()
    {
        await using var host = KeyedHost(maxBody: 4000);
        var body = DipTestHost.Array(DipTestHost.ValidIf031());
        var (type, typeBody, _) = await host.PostAsync("/dip-channel/IF-031", body, DipTestHost.Supplier.ApiKey, contentType: "text/plain");
        var big = DipTestHost.Array(Enumerable.Range(0, 10).Select(i => (JsonNode)DipTestHost.ValidIf031("BIG" + i)).ToArray());
        Assert.That(Encoding.UTF8.GetByteCount(big), Is.GreaterThan(4000));
        var (size, sizeBody, _) = await host.PostAsync("/dip-channel/IF-031", big, DipTestHost.Supplier.ApiKey);
        var (small, _, _) = await host.PostAsync("/dip-channel/IF-031", body, DipTestHost.Supplier.ApiKey);
        Assert.Multiple(() =>
        {
            Assert.That(type, Is.EqualTo(415));
            Assert.That(DipTestHost.Help(typeBody)[0], Does.Contain("text/plain"));
            Assert.That(size, Is.EqualTo(413));
            Assert.That(DipTestHost.Help(sizeBody)[0], Does.Contain("4000"));
            Assert.That(small, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task Some_bad_items_give_207_with_a_result_per_item_and_all_bad_give_400_with_paths()
    {
        await using var host = new DipTestHost();
        var bad = DipTestHost.ValidIf031("BAD1");
        bad["payload"]!["CustomBlock"]!["B070"]!.AsObject().Remove("appointmentScenario");
        var (mixed, mixedBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031("GOOD1"), bad));
        Assert.That(mixed, Is.EqualTo(207), mixedBody?.ToJsonString());
        Assert.That(DipTestHost.Messages(mixedBody), Is.EqualTo(new[] { DipEmulator.Success, DipEmulator.SchemaFailure }));
        Assert.That(mixedBody!["messageArray"]![0]!["transactionID"]!.GetValue<string>(), Does.StartWith("T-IF-031-2300000012-SUP-"));
        Assert.That(mixedBody["messageArray"]![1]!["senderUniqueReference"]!.GetValue<string>(), Does.EndWith("-BAD1"));
        Assert.That(DipTestHost.Help(mixedBody)[1], Does.Contain("$[1].payload.CustomBlock.B070").And.Contain("appointmentScenario"));

        var bad2 = DipTestHost.ValidIf031("BAD2");
        bad2["payload"]!["CommonBlock"]!["S1"]!["environmentTag"] = "LIVE";
        var (all, allBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(bad, bad2));
        Assert.That(all, Is.EqualTo(400));
        Assert.That(DipTestHost.Messages(allBody), Is.EqualTo(new[] { DipEmulator.SchemaFailure, DipEmulator.SchemaFailure }));
        Assert.That(DipTestHost.Help(allBody)[1], Does.Contain("$[1].payload.CommonBlock.S1.environmentTag"));
    }

    [Test]
    public async Task Not_an_array_is_400_schema_failure()
    {
        await using var host = new DipTestHost();
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.ValidIf031().ToJsonString());
        Assert.That(status, Is.EqualTo(400));
        Assert.That(DipTestHost.Messages(body)[0], Is.EqualTo(DipEmulator.SchemaFailure));
        Assert.That(DipTestHost.Help(body)[0], Does.StartWith("$: the body must be a JSON array"));
    }

    [Test]
    public async Task Duplicate_sender_unique_reference_is_reported_and_not_accepted_twice()
    {
        await using var host = new DipTestHost();
        var accepted = new List<AcceptedMessage>();
        host.Dip.Accepted += m => { lock (accepted) accepted.Add(m); return Task.CompletedTask; };
        var message = DipTestHost.ValidIf031("ONCE");
        var (first, firstBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(message));
        var (second, secondBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(message));
        var (inOne, inOneBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031("TWIN"), DipTestHost.ValidIf031("TWIN")));
        // Central services are handed accepted messages after the response; wait for the first hand-over.
        for (var i = 0; i < 200; i++) { lock (accepted) if (accepted.Count >= 2) break; await Task.Delay(25); }
        var transaction = firstBody!["messageArray"]![0]!["transactionID"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(201));
            Assert.That(second, Is.EqualTo(400));
            Assert.That(DipTestHost.Messages(secondBody)[0], Is.EqualTo(DipEmulator.DuplicateMessage));
            Assert.That(DipTestHost.Help(secondBody)[0], Does.Contain("senderUniqueReference").And.Contain(transaction));
            Assert.That(inOne, Is.EqualTo(207));
            Assert.That(DipTestHost.Messages(inOneBody), Is.EqualTo(new[] { DipEmulator.Success, DipEmulator.DuplicateMessage }));
            lock (accepted) Assert.That(accepted.Select(a => a.Message.Payload.CommonBlock.S1.SenderUniqueReference).Count(r => r.EndsWith("-ONCE")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Sender_role_not_allowed_by_the_interface_catalogue_is_refused()
    {
        await using var host = new DipTestHost();
        // An MSS sending IF-031 (Supplier → Registration Service in the catalogue).
        var item = DipTestHost.ValidIf031();
        var s1 = item["payload"]!["CommonBlock"]!["S1"]!;
        s1["senderDIPID"] = DipTestHost.MeteringService.DipId;
        s1["senderRoleID"] = "MSS";
        s1["senderUniqueReference"] = $"S-IF-031-{DipTestHost.MeteringService.DipId}-MSS-20260105-ROLE1";
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(item));
        Assert.That(status, Is.EqualTo(400));
        Assert.That(DipTestHost.Messages(body)[0], Is.EqualTo(DipEmulator.ValidationFailure));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("$[0].payload.CommonBlock.S1.senderRoleID: 'MSS' may not send IF-031").And.Contain("senders SUP"));
    }

    [Test]
    public async Task Sender_id_must_be_the_participant_the_api_key_belongs_to()
    {
        await using var host = KeyedHost();
        var item = DipTestHost.ValidIf031();
        item["payload"]!["CommonBlock"]!["S1"]!["senderDIPID"] = "2300000077";
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(item), DipTestHost.Supplier.ApiKey);
        var (asSelf, _, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031()), DipTestHost.Supplier.ApiKey);
        Assert.That(status, Is.EqualTo(400));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("S1.senderDIPID: is '2300000077'").And.Contain("X-API-Key belongs to Test Supplier"));
        Assert.That(asSelf, Is.EqualTo(201));
    }

    [Test]
    public async Task Bad_mpan_check_digit_and_timestamp_without_the_dip_layout_are_refused()
    {
        await using var host = new DipTestHost();
        var mpan = DipTestHost.ValidIf031("MPAN1", mpan: "2300000000018");
        var time = DipTestHost.ValidIf031("TIME1");
        time["payload"]!["CommonBlock"]!["S1"]!["senderTimestamp"] = "2026-01-05 10:15:00+00:00"; // 25 characters, no 'T'
        var custom = DipTestHost.ValidIf031("TIME2");
        custom["payload"]!["CustomBlock"]!["B070"]!["proposedMeteringServiceDIPEffectiveFromDate"] = "2026-13-20T00:00:00+00:00";
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(mpan, time, custom));
        Assert.That(status, Is.EqualTo(400), body?.ToJsonString());
        var help = DipTestHost.Help(body);
        Assert.That(help[0], Does.Contain("$[0].payload.CommonBlock.M0.MPANCore"));
        Assert.That(help[1], Does.Contain("$[1].payload.CommonBlock.S1.senderTimestamp").And.Contain("25 characters"));
        Assert.That(help[2], Does.Contain("$[2].payload.CustomBlock.B070.proposedMeteringServiceDIPEffectiveFromDate"));
    }

    [TestCase("/dip-channel/IF-031", "[1]")]
    [TestCase("/dip-channel/IF-031", "[[]]")]
    [TestCase("/dip-channel/IF-031", "[{\"payload\":{\"CommonBlock\":7,\"CustomBlock\":[]}}]")]
    [TestCase("/dip-channel/IF-031", "[{\"payload\":{\"CommonBlock\":{\"S0\":[],\"S1\":\"x\"}}}]")]
    [TestCase("/dip-channel/IF-031", "{\"payload\":null}")]
    [TestCase("/dip-channel/IF-031", "not json")]
    [TestCase("/validate/IF-031/MSApp", "[{\"payload\":3}]")]
    [TestCase("/dip-channel/IF-032/replay/2300000012", "[]")]
    [TestCase("/dip-channel/IF-032/replay/2300000012", "{\"datetimeFrom\":\"yesterday\",\"datetimeTo\":null,\"eventCode\":null,\"MPAN\":null,\"version\":null}")]
    [TestCase("/dip-channel/IF-032/requeue/2300000012", "7")]
    [TestCase("/dip-channel/IF-032/pubconfig/2300000012", "[\"http://x\"]")]
    [TestCase("/statusmessage", "{\"messageArray\":1}")]
    public async Task Malformed_bodies_get_400_never_a_server_error(string path, string body)
    {
        await using var host = new DipTestHost();
        var (status, response, _) = await host.PostAsync(path, body);
        Assert.That(status, Is.EqualTo(400), response?.ToJsonString());
        Assert.That(DipTestHost.Messages(response), Has.All.EqualTo(DipEmulator.SchemaFailure));
        Assert.That(DipTestHost.Help(response), Has.All.Not.Empty);
    }

    [Test]
    public async Task Delivery_status_of_a_sent_message_shows_its_stages_and_a_refusal_its_reason()
    {
        await using var host = new DipTestHost();
        var good = DipTestHost.ValidIf031("TRACK1");
        var bad = DipTestHost.ValidIf031("TRACK2", mpan: "2300000000018");
        var (_, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(good, bad));
        var regs = "1000000001";
        var (status, record, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{regs}/S-IF-031-2300000012-SUP-20260105-TRACK1");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(host.Dip.Schemas.Validate("DIPJournalRecord", record, "$"), Is.Empty, record!.ToJsonString());
        Assert.That(record["JournalEntries"]!.AsArray().Select(e => $"{e!["DIPStage"]}:{e["Status"]}"), Is.EqualTo(new[] { "Inbound:GoodToGo", "Addressing:SentToTopic", "Outbound:Delivered" }));
        Assert.That(record["DIPTransactionID"]!.GetValue<string>(), Is.EqualTo(body!["messageArray"]![0]!["transactionID"]!.GetValue<string>()));

        var (_, refused, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{regs}/S-IF-031-2300000012-SUP-20260105-TRACK2");
        var entry = refused!["JournalEntries"]!.AsArray().Single()!;
        Assert.That(entry["Status"]!.GetValue<string>(), Is.EqualTo("InboundRuleFailure"));
        Assert.That(entry["Reason"]!.GetValue<string>(), Does.Contain("MPANCore"));
    }

    [Test]
    public async Task Every_request_and_response_is_one_journal_line_linked_by_reply_to()
    {
        await using var host = new DipTestHost();
        await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031("J1")));
        await host.SendAsync(HttpMethod.Get, "/nowhere");
        await host.PostAsync("/validate/IF-031/MSApp", DipTestHost.Array(DipTestHost.ValidIf031("J2")));
        var records = host.Journal.Records;
        var inbound = records.Where(r => r.Kind == JournalKind.Inbound).ToList();
        var responses = records.Where(r => r.Kind == JournalKind.Response).ToList();
        Assert.That(inbound, Has.Count.EqualTo(3));
        Assert.That(responses.Select(r => r.ReplyTo), Is.EquivalentTo(inbound.Select(r => (long?)r.Sequence)));
        Assert.That(responses.Select(r => r.Status), Is.EquivalentTo(new int?[] { 201, 404, 201 }));
        // Only the real submission is kept as a message array: a validation call is not a message sent.
        Assert.That(inbound[0].Body, Is.InstanceOf<JsonArray>());
        Assert.That(inbound[2].Body, Is.Null);
        Assert.That(inbound[2].RawBody, Does.Contain("J2"));
        var lines = File.ReadAllLines(host.Journal.Path);
        Assert.That(lines, Has.Length.EqualTo(records.Count));
    }

    [Test]
    public async Task Debug_validation_follows_the_published_endpoints()
    {
        await using var host = new DipTestHost();
        var bad = DipTestHost.ValidIf031();
        bad["payload"]!["CommonBlock"]!["S1"]!.AsObject().Remove("senderRoleID");
        var (ok, _, _) = await host.PostAsync("/validate/IF-031/MSApp", DipTestHost.Array(DipTestHost.ValidIf031()));
        var (refused, refusedBody, _) = await host.PostAsync("/validate/IF-031/MSApp", DipTestHost.Array(bad));
        var (otherEvent, otherBody, _) = await host.PostAsync("/validate/IF-031/DSApp", DipTestHost.Array(DipTestHost.ValidIf031()));
        var (unpublished, _, _) = await host.PostAsync("/validate/IF-031/Nonsense", DipTestHost.Array(DipTestHost.ValidIf031()));
        var (get, _, _) = await host.SendAsync(HttpMethod.Get, "/validate/IF-031/MSApp");
        Assert.Multiple(() =>
        {
            Assert.That(host.Dip.Schemas.ValidationEndpoints, Does.Contain("IF-031/[MSApp]").And.Contain("IF-065/[MDRTOU]"));
            Assert.That(ok, Is.EqualTo(201));
            Assert.That(refused, Is.EqualTo(400));
            Assert.That(DipTestHost.Help(refusedBody)[0], Does.Contain("senderRoleID"));
            Assert.That(otherEvent, Is.EqualTo(400));
            Assert.That(DipTestHost.Help(otherBody)[0], Does.Contain("[DSApp]"));
            Assert.That(unpublished, Is.EqualTo(404));
            Assert.That(get, Is.EqualTo(405));
        });
    }

    [Test]
    public void Interface_catalogue_gives_sender_roles_from_its_prose()
    {
        var catalogue = InterfaceCatalogue.Embedded;
        Assert.Multiple(() =>
        {
            Assert.That(catalogue.Senders("IF-031"), Is.EquivalentTo(new[] { "SUP" }));
            Assert.That(catalogue.Senders("IF-034"), Is.EquivalentTo(new[] { "SDS", "ADS", "UMSDS", "MSA", "MSS", "UMSO" }));
            Assert.That(catalogue.Senders("IF-007"), Is.EquivalentTo(new[] { "MSS", "MSA", "UMSO" }));
            Assert.That(catalogue.Senders("IF-001"), Is.EquivalentTo(new[] { "REGS" }));
            Assert.That(catalogue.Senders("IF-021"), Is.EquivalentTo(new[] { "SDS", "ADS", "UMSDS" }));
            Assert.That(catalogue.Senders("IF-041"), Is.EquivalentTo(new[] { "MSS", "MSA", "UMSO", "SDS", "ADS", "UMSDS", "SUP" }));
            Assert.That(catalogue.Receivers("IF-004"), Is.EquivalentTo(new[] { "SUP", "MSS" }));
            Assert.That(catalogue.Receivers("IF-001"), Is.EquivalentTo(new[] { "SUP", "MDS", "LDSO" }));
            Assert.That(catalogue.Senders("IF-051"), Is.Null, "the catalogue says 'Not verified': no rule");
        });
    }
}
