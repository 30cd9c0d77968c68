using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Stubs.Dip;
using Qualification.Tests.Stubs;

namespace Qualification.Tests.Reliability;

/// <summary>
/// The candidate's webhook misbehaving (down, too slow, not speaking HTTP, hanging up mid-answer):
/// every delivery attempt is journalled with what went wrong, retries stop at the limit, the
/// delivery status says RetriesExhausted, and the DIP goes on serving.
/// </summary>
public class DeliveryFaultTests
{
    private const string Regs = "1000000001";

    /// <summary>A TCP server on 127.0.0.1 that misbehaves as told for every connection.</summary>
    private sealed class BadWebhook : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        public int Connections;

        public BadWebhook(string mode)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); } catch (Exception) { return; }
                    Interlocked.Increment(ref Connections);
                    _ = Task.Run(async () =>
                    {
                        using var c = client;
                        var stream = c.GetStream();
                        var buffer = new byte[65536];
                        try
                        {
                            if (await stream.ReadAsync(buffer, _stop.Token) == 0) return;
                            switch (mode)
                            {
                                case "garbage":
                                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HELLO THIS IS NOT HTTP\r\n\r\n"), _stop.Token);
                                    break;
                                case "cut":
                                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"messageArray\":["), _stop.Token);
                                    break;
                                case "slow":
                                    await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token);
                                    break;
                            }
                        }
                        catch (Exception) { }
                    });
                }
            });
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/dip/inbound");

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    private static DipPayload Publication(string unique)
    {
        var custom = new JsonObject { ["B070"] = new JsonObject { ["appointmentScenario"] = "COS" } };
        var payload = DipMessageFactory.Payload("IF-032", "[MSAppInitialResp]", Regs, "REGS", new M0Block("2300000000019", "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 10, 0), custom);
        return payload with { CommonBlock = payload.CommonBlock with { S1 = payload.CommonBlock.S1 with { SenderUniqueReference = $"S-IF-032-{Regs}-REGS-20260105-{unique}" } } };
    }

    // The timeout is short enough for the slow webhook to exceed it and long enough for a cold start on a busy machine.
    private static async Task<(List<JournalRecord> Pushes, DipTestHost Host)> PublishTo(Uri callback, string unique, double timeoutSeconds = 5)
    {
        var supplier = DipTestHost.Supplier with { CallbackUrl = callback };
        var host = new DipTestHost(new DipEmulatorOptions { MaxDeliveryAttempts = 2, RetryBackoff = TimeSpan.FromMilliseconds(10), DeliveryTimeout = TimeSpan.FromSeconds(timeoutSeconds) },
            supplier, DipTestHost.MeteringService);
        await host.Dip.PublishAsync(Publication(unique), [supplier.DipId]);
        return (host.Journal.Records.Where(r => r.Kind == JournalKind.Push).ToList(), host);
    }

    private static async Task AssertExhaustedAndStillServing(DipTestHost host, List<JournalRecord> pushes, string unique, string why)
    {
        Assert.That(pushes, Has.Count.EqualTo(2), "one journal record per attempt");
        Assert.That(pushes.All(p => p.Status is null or >= 300), string.Join(" | ", pushes.Select(p => p.Note)));
        Assert.That(pushes[0].Note, Does.Contain(why));
        Assert.That(pushes[^1].Note, Does.Contain("RetriesExhausted"));
        Assert.That(pushes.All(p => p.Body is JsonArray), "the message pushed is in the journal");
        var (status, body, _) = await host.SendAsync(HttpMethod.Get, $"/dip-channel/IF-032/deliveryStatus/{DipTestHost.Supplier.DipId}/S-IF-032-{Regs}-REGS-20260105-{unique}");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(body!.ToJsonString(), Does.Contain("RetriesExhausted"));
        var (after, _, _) = await host.PostAsync("/dip-channel/IF-031", DipTestHost.Array(DipTestHost.ValidIf031("AFTER")));
        Assert.That(after, Is.EqualTo(201), "the DIP still accepts messages");
    }

    [Test]
    public async Task Callback_down_every_attempt_is_journalled_and_retries_are_exhausted()
    {
        var port = Support.Qualify.FreePort();
        var (pushes, host) = await PublishTo(new Uri($"http://127.0.0.1:{port}/dip/inbound"), "DOWN");
        await using var _ = host;
        await AssertExhaustedAndStillServing(host, pushes, "DOWN", "failed: Connection refused");
    }

    [Test]
    public async Task Callback_slower_than_the_timeout_is_a_timed_out_attempt()
    {
        using var webhook = new BadWebhook("slow");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (pushes, host) = await PublishTo(webhook.Url, "SLOW", timeoutSeconds: 2);
        await using var _ = host;
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the timeout bounds each attempt (the webhook would take 30 s)");
        await AssertExhaustedAndStillServing(host, pushes, "SLOW", "timed out");
    }

    [Test]
    public async Task Callback_answering_garbage_is_a_failed_attempt()
    {
        using var webhook = new BadWebhook("garbage");
        var (pushes, host) = await PublishTo(webhook.Url, "GARBAGE");
        await using var _ = host;
        await AssertExhaustedAndStillServing(host, pushes, "GARBAGE", "failed");
        Assert.That(webhook.Connections, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public async Task Callback_closing_the_connection_mid_answer_is_a_failed_attempt()
    {
        using var webhook = new BadWebhook("cut");
        var (pushes, host) = await PublishTo(webhook.Url, "CUT");
        await using var _ = host;
        await AssertExhaustedAndStillServing(host, pushes, "CUT", "failed");
    }

    [Test]
    public async Task Callback_answering_500_every_time_is_rejected_by_recipient_until_exhausted()
    {
        using var webhook = new FakeWebhook(500, 500, 500);
        var (pushes, host) = await PublishTo(webhook.Url, "FIVEHUNDRED");
        await using var _ = host;
        Assert.That(pushes.Select(p => p.Status), Is.EqualTo(new int?[] { 500, 500 }));
        await AssertExhaustedAndStillServing(host, pushes, "FIVEHUNDRED", "RejectedByRecipient");
    }
}
