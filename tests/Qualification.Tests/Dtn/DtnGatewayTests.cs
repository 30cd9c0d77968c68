using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Dtn.Validation;
using Qualification.Stubs.Dtn;
using Qualification.Tests.Support;

namespace Qualification.Tests.Dtn;

/// <summary>The DTN gateway emulator over real HTTP on 127.0.0.1 and through its watched folders.</summary>
public class DtnGatewayTests
{
    private string _dir = "";
    private Journal _journal = null!;
    private DtnGateway _gateway = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void Start()
    {
        _dir = Qualify.TempDir("dtn-gateway");
        _journal = new Journal(Path.Combine(_dir, "journal.jsonl"));
        _gateway = new DtnGateway(new DtnGatewayOptions
        {
            InboxFolder = Path.Combine(_dir, "inbox"), OutboxFolder = Path.Combine(_dir, "outbox"), MeteringPoints = Samples.Points,
        }, _journal, () => "gateway test");
        _http = new HttpClient { BaseAddress = new Uri(_gateway.Url), Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public void Stop()
    {
        _http.Dispose();
        _gateway.Dispose();
        _journal.Dispose();
    }

    private static ByteArrayContent Flow(string name) => new(Samples.Bytes(name)) { Headers = { { "Content-Type", "text/plain" } } };

    private JournalRecord[] DtnRecords() => _journal.Records.Where(r => r.Kind == JournalKind.Dtn).ToArray();

    [Test]
    public void ListensOnLoopback() => Assert.That(new Uri(_gateway.Url).Host, Is.EqualTo("127.0.0.1"));

    [Test]
    public async Task PostValidFlow_Is202_AndJournalled()
    {
        var response = await _http.PostAsync("/dtn/flows", Flow("D0010_valid.flow"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var record = DtnRecords().Single();
        Assert.That((record.InterfaceId, record.From, record.To, record.Status), Is.EqualTo(("D0010002", "D:DCAA", "X:SUPA", (int?)202)));
        Assert.That(record.RawBody, Is.EqualTo(Encoding.ASCII.GetString(Samples.Bytes("D0010_valid.flow"))));
        Assert.That(_gateway.ReceivedFlows.Single().Channel, Is.EqualTo("http"));
    }

    [Test]
    public async Task PostFlowBreakingAnMhhsRule_Is422_WithTheFindingInTheAnswerAndTheJournal()
    {
        var response = await _http.PostAsync("/dtn/flows", Flow("D0311-MTC_fail.flow"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var finding = body["findings"]!.AsArray().Single()!;
        Assert.That((finding["rule"]!.GetValue<string>(), finding["line"]!.GetValue<long>(), finding["group"]!.GetValue<string>()), Is.EqualTo((DtnRules.D0311Mtc, 2L, "05D")));
        var journalled = DtnRecords().Single();
        Assert.That(journalled.Body!["findings"]!.AsArray().Single()!["rule"]!.GetValue<string>(), Is.EqualTo(DtnRules.D0311Mtc));
        Assert.That(journalled.Note, Does.Contain("1 error(s)"));
    }

    [Test]
    public async Task PostEmptyBody_Is400()
    {
        var response = await _http.PostAsync("/dtn/flows", new StringContent(""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task FlowsForTheCandidate_AreListedAndFetchedOverHttp_AndWrittenToTheOutbox()
    {
        var text = Encoding.ASCII.GetString(Samples.Bytes("D0139_valid.flow")); // addressed to X:SUPA
        var sent = _gateway.Send(text);
        _gateway.Send(Encoding.ASCII.GetString(Samples.Bytes("D0170_valid.flow"))); // addressed to M:MOPA

        var list = JsonNode.Parse(await _http.GetStringAsync("/dtn/flows?to=SUPA"))!["flows"]!.AsArray();
        Assert.That(list.Select(f => f!["id"]!.GetValue<string>()), Is.EqualTo(new[] { sent.Id }));
        var fetched = await _http.GetByteArrayAsync(list[0]!["url"]!.GetValue<string>());
        Assert.That(fetched, Is.EqualTo(Samples.Bytes("D0139_valid.flow")));
        Assert.That((await _http.GetAsync("/dtn/flows/DTN-999999")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _http.GetAsync("/dtn/flows")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var outbox = Directory.GetFiles(Path.Combine(_dir, "outbox"));
        Assert.That(outbox.Select(Path.GetFileName), Has.Some.StartsWith("D0139002_F000000102_"));
        Assert.That(File.ReadAllBytes(outbox.Single(f => Path.GetFileName(f).StartsWith("D0139002", StringComparison.Ordinal))), Is.EqualTo(Samples.Bytes("D0139_valid.flow")));
        Assert.That(DtnRecords().Select(r => r.Note), Has.All.Contains("outbound"));
    }

    [Test]
    public async Task FileDroppedInTheInbox_IsValidatedJournalledAndMovedToProcessed()
    {
        var received = new TaskCompletionSource<DtnTransfer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.Received += t => received.TrySetResult(t);
        var inbox = Path.Combine(_dir, "inbox");
        // Written aside, then renamed into place, as a careful sender does.
        var temporary = Path.Combine(inbox, ".D0304-Q_fail.flow.part");
        await File.WriteAllBytesAsync(temporary, Samples.Bytes("D0304-Q_fail.flow"));
        File.Move(temporary, Path.Combine(inbox, "D0304-Q_fail.flow"));

        var transfer = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((transfer.Channel, transfer.Header!.FlowAndVersion), Is.EqualTo(("folder", "D0304001")));
        Assert.That(transfer.Validation.Findings.Single().RuleId, Is.EqualTo(DtnRules.D0304ForwardMigration));
        var record = DtnRecords().Single();
        Assert.That(record.Url, Does.EndWith("D0304-Q_fail.flow"));
        Assert.That(record.Status, Is.EqualTo(422));

        var processed = Path.Combine(inbox, "processed", "D0304-Q_fail.flow");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(processed) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.That(File.Exists(processed), Is.True);
        Assert.That(File.Exists(Path.Combine(inbox, "D0304-Q_fail.flow")), Is.False);
    }
}
