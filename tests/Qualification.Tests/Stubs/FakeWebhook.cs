using System.Collections.Concurrent;
using System.Text;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Tests.Stubs;

/// <summary>A participant's webhook on 127.0.0.1 that records what the DIP pushes and answers with scripted statuses.</summary>
public sealed class FakeWebhook : IDisposable
{
    private readonly WireMockServer _server;
    private readonly Queue<int> _script;
    private readonly object _gate = new();

    /// <summary>One received push.</summary>
    public sealed record Received(string Url, string Body, IReadOnlyDictionary<string, string> Headers);

    /// <summary>Starts; answers with <paramref name="statuses"/> in order, then 201.</summary>
    public FakeWebhook(params int[] statuses)
    {
        _script = new Queue<int>(statuses);
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false });
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            int status;
            lock (_gate) status = _script.Count > 0 ? _script.Dequeue() : 201;
            var headers = (request.Headers ?? new Dictionary<string, WireMockList<string>>()).ToDictionary(h => h.Key, h => h.Value.FirstOrDefault() ?? "", StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new Received(request.Url, request.Body ?? "", headers));
            return new ResponseMessage
            {
                StatusCode = status,
                Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                BodyData = new BodyData { BodyAsString = "{\"messageArray\":[{\"message\":\"" + (status < 300 ? "MSG0000 - Success" : "MSG9999 - Test failure") + "\"}]}", DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            };
        }));
    }

    /// <summary>Base URL of the webhook.</summary>
    public Uri Url => new(_server.Url! + "/dip/inbound");

    /// <summary>Everything received, in order.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Waits until at least <paramref name="count"/> pushes arrived (or fails after 10 s).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (Requests.Count < count && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.That(Requests.Count, Is.GreaterThanOrEqualTo(count), $"expected {count} pushes at the webhook");
        return Requests.ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }
}
