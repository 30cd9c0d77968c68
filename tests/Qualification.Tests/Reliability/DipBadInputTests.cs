using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;
using Qualification.Tests.Stubs;

namespace Qualification.Tests.Reliability;

/// <summary>
/// Rows of docs/bad-input.md that hit the emulated DIP over real HTTP on 127.0.0.1: each bad call gets
/// its status and a message naming what and where; the DIP answers the next good call; the journal
/// holds the bad call.
/// </summary>
public class DipBadInputTests
{
    /// <summary>One table row: the body sent, where, and the reaction expected.</summary>
    public sealed record Row(string Name, string Path, Func<byte[]> Body, int Status, string Help, string ContentType = "application/json")
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static JsonObject Valid(string unique) => DipTestHost.ValidIf031(unique);

    private static JsonObject With(string unique, Action<JsonObject> change)
    {
        var item = Valid(unique);
        change(item);
        return item;
    }

    private static JsonNode S0(JsonObject item) => item["payload"]!["CommonBlock"]!["S0"]!;

    private static readonly string ValidText = DipTestHost.Array(Valid("TRUNC"));

    // A valid IF-031 whose contract reference holds bytes that are not UTF-8 (0xC3 0x28, 0xFF).
    private static byte[] InvalidUtf8()
    {
        var text = DipTestHost.Array(Valid("UTF8"));
        var at = text.IndexOf("CONTRACT01", StringComparison.Ordinal);
        return [.. Utf8(text[..at]), 0xC3, 0x28, 0xFF, .. Utf8(text[(at + "CONTRACT01".Length)..])];
    }

    /// <summary>The rows (names are the ones in docs/bad-input.md).</summary>
    public static IEnumerable<Row> Rows()
    {
        yield return new("malformed JSON", "/dip-channel/IF-031", () => Utf8("[{payload: 1}]"), 400, "$: the body is not JSON");
        yield return new("truncated body", "/dip-channel/IF-031", () => Utf8(ValidText[..(ValidText.Length / 2)]), 400, "$: the body is not JSON");
        yield return new("trailing garbage after the array", "/dip-channel/IF-031", () => Utf8(ValidText + " xyz"), 400, "$: the body is not JSON");
        yield return new("empty body", "/dip-channel/IF-031", () => [], 400, "the body is empty");
        yield return new("empty array", "/dip-channel/IF-031", () => Utf8("[]"), 400, "the array is empty");
        yield return new("JSON null body", "/dip-channel/IF-031", () => Utf8("null"), 400, "$: the body");
        yield return new("JSON string body", "/dip-channel/IF-031", () => Utf8("\"IF-031\""), 400, "must be a JSON array");
        yield return new("deep nesting (10,000 levels)", "/dip-channel/IF-031", () => Utf8(new string('[', 10_000) + new string(']', 10_000)), 400, "$: the body is not JSON");
        yield return new("invalid UTF-8 inside a valid message", "/dip-channel/IF-031", InvalidUtf8, 400, "not valid UTF-8");
        yield return new("item without payload", "/dip-channel/IF-031", () => Utf8("[{\"notPayload\":{}}]"), 400, "$[0].payload: required");
        yield return new("item that is not an object", "/dip-channel/IF-031", () => Utf8("[1, null, \"x\"]"), 400, "$[2].payload: required");
        yield return new("extra property beside payload", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(With("EXTRA", i => i["signature"] = "x"))), 400, "$[0].signature: property is not allowed");
        yield return new("unknown event", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(With("EVT", i => S0(i)["eventCode"] = "[Nonsense]"))), 400, "'[Nonsense]' is not an event of IF-031");
        yield return new("event code without brackets", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(With("EVT2", i => S0(i)["eventCode"] = "MSApp"))), 400, "'MSApp' is not an event of IF-031");
        yield return new("wrong schema version", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(With("VER", i => S0(i)["schemaVersion"] = "999"))), 400, "schemaVersion");
        yield return new("interfaceID not the channel", "/dip-channel/IF-034", () => Utf8(DipTestHost.Array(Valid("CHAN"))), 400, "is 'IF-031' but the message was sent on channel IF-034");
        yield return new("MPAN core of the wrong length", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(Valid("MPANLEN").Also(i => i["payload"]!["CommonBlock"]!["M0"]!["MPANCore"] = "23000000000"))), 400, "MPANCore");
        yield return new("wrong type for a field (number for a string)", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(With("TYPE", i => i["payload"]!["CommonBlock"]!["S1"]!["senderDIPID"] = 2300000012))), 400, "senderDIPID");
        yield return new("missing CommonBlock", "/dip-channel/IF-031", () => Utf8("[{\"payload\":{\"CustomBlock\":{}}}]"), 400, "CommonBlock");
        yield return new("unknown channel", "/dip-channel/IF-999", () => Utf8(DipTestHost.Array(Valid("UNK"))), 404, "'IF-999' is not a DIP channel");
        yield return new("unknown path", "/dip-channels/IF-031", () => Utf8("[]"), 404, "No DIP endpoint POST /dip-channels/IF-031");
        yield return new("content type application/xml", "/dip-channel/IF-031", () => Utf8(DipTestHost.Array(Valid("XML"))), 415, "Content-Type is 'application/xml", "application/xml");
        yield return new("validation endpoint with a broken body", "/validate/IF-031/MSApp", () => Utf8("[{"), 400, "$: the body is not JSON");
        yield return new("replay with a date that is not a DIP date-time", "/dip-channel/IF-031/replay/2300000012", () => Utf8("{\"datetimeFrom\":\"yesterday\"}"), 400, "datetimeFrom");
        yield return new("pubconfig with a callback URL that is not http(s)", "/dip-channel/IF-032/pubconfig/2300000012", () => Utf8("{\"callbackURL\":\"ftp://127.0.0.1/x\"}"), 400, "callbackURL");
        yield return new("status message that is not an array", "/statusmessage", () => Utf8("{\"x\":1}"), 400, "MSG1001");
    }

    [TestCaseSource(nameof(Rows))]
    public async Task Bad_call_gets_a_clear_refusal_is_journalled_and_the_dip_keeps_answering(Row row)
    {
        await using var host = new DipTestHost();
        using var request = new HttpRequestMessage(HttpMethod.Post, row.Path) { Content = new ByteArrayContent(row.Body()) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(row.ContentType);
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(row.Status), text);
        Assert.That(text, Does.Contain(row.Help.Replace("\"", "\\u0022", StringComparison.Ordinal)).Or.Contain(row.Help));

        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(Valid("AFTER")));
        Assert.That(status, Is.EqualTo(201), "the DIP still accepts a good message afterwards: " + body?.ToJsonString());
        var inbound = host.Journal.Records.Where(r => r.Kind == JournalKind.Inbound).ToList();
        Assert.That(inbound, Has.Count.EqualTo(2), "both calls are in the journal");
        Assert.That(inbound[0].Url, Does.EndWith(row.Path));
        Assert.That(host.Journal.Records.Any(r => r.Kind == JournalKind.Response && r.ReplyTo == inbound[0].Sequence && r.Status == row.Status), "the refusal is journalled");
    }

    [Test]
    public async Task Array_of_10000_items_is_answered_item_by_item()
    {
        await using var host = new DipTestHost();
        var items = string.Join(",", Enumerable.Repeat("{}", 10_000));
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", "[" + items + "]");
        Assert.That(status, Is.EqualTo(400));
        var help = DipTestHost.Help(body);
        Assert.That(help, Has.Count.EqualTo(10_000));
        Assert.That(help[9_999], Does.StartWith("$[9999].payload: required"));
        var (after, _, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(Valid("AFTER10K")));
        Assert.That(after, Is.EqualTo(201));
    }

    [Test]
    public async Task Same_reference_posted_20_times_at_once_is_accepted_exactly_once()
    {
        await using var host = new DipTestHost();
        var body = DipTestHost.Array(Valid("RACE"));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ => (await host.PostAsync("/dip-channel/IF-031", body)).Status));
        Assert.That(statuses.Count(s => s == 201), Is.EqualTo(1), string.Join(",", statuses));
        Assert.That(statuses.Count(s => s == 400), Is.EqualTo(19));
        Assert.That(host.Journal.Records.Count(r => r.Kind == JournalKind.Inbound), Is.EqualTo(20), "every attempt journalled");
    }

    [Test]
    public async Task Past_the_retention_old_tracks_are_forgotten_but_duplicates_are_still_refused()
    {
        await using var host = new DipTestHost(new DipEmulatorOptions { RetainedMessages = 5 });
        for (var i = 0; i < 12; i++)
        {
            var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(Valid("RET" + i)));
            Assert.That(status, Is.EqualTo(201), body?.ToJsonString());
        }
        string Reference(int i) => $"S-IF-031-{DipTestHost.Supplier.DipId}-SUP-20260105-RET{i}";
        var (first, _, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{DipTestHost.Supplier.DipId}/{Reference(0)}");
        var (last, _, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-031/deliveryStatus/{DipTestHost.Supplier.DipId}/{Reference(11)}");
        var (again, againBody, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(Valid("RET0")));
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(204), "the oldest message's status is forgotten");
            Assert.That(last, Is.EqualTo(200), "the latest is kept");
            Assert.That(again, Is.EqualTo(400), "a duplicate of a forgotten message is still a duplicate");
            Assert.That(DipTestHost.Messages(againBody)[0], Is.EqualTo(DipEmulator.DuplicateMessage));
        });
    }

    [Test]
    public async Task Signed_call_without_its_certificate_header_is_refused()
    {
        var certificate = HarnessCertificates.CreateSelfSigned("test supplier");
        await using var host = new DipTestHost(new DipEmulatorOptions { Signing = SigningPolicy.Required });
        host.Directory.PinSigningCertificate(DipTestHost.Supplier.DipId, certificate);
        var json = DipTestHost.Array(Valid("NOCERT"));
        var url = new Uri(host.Http.BaseAddress!, "/dip-channel/IF-031");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in DipSignature.Sign("POST", url.ToString(), Encoding.UTF8.GetBytes(json), certificate, DateTimeOffset.UtcNow).AsPairs())
            if (name != DipSignature.CertificateHeader) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(401), text);
        Assert.That(text, Does.Contain("message signature rejected").And.Contain(DipSignature.CertificateHeader));
    }

    [Test]
    public async Task Client_closing_the_connection_mid_body_does_not_stop_the_dip()
    {
        await using var host = new DipTestHost();
        var uri = new Uri(host.Dip.Url);
        for (var i = 0; i < 5; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", uri.Port);
            var stream = tcp.GetStream();
            var head = $"POST /dip-channel/IF-031 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
            await stream.WriteAsync(Utf8(head + ValidText[..100]));
            await stream.FlushAsync();
            tcp.Client.Shutdown(SocketShutdown.Both);
        }
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(Valid("AFTERCUT")));
        Assert.That(status, Is.EqualTo(201), body?.ToJsonString());
    }
}

internal static class JsonObjectExtensions
{
    /// <summary>Applies <paramref name="change"/> and returns the same object.</summary>
    public static JsonObject Also(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
