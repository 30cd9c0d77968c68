using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Dtn.Validation;
using Qualification.ReferenceParticipants;
using Qualification.Runner.Execution;
using Qualification.Tests.Support;

namespace Qualification.Tests.Stubs;

/// <summary>
/// The parts behind the supplier's own obligations, over real HTTP on loopback: the DIP's replay of a
/// publication, the gateway's check that a Smart switch read is of the cumulative register, and the
/// Supply Number the reference supplier answers for a bill (driver API and portal).
/// </summary>
public class SupplierObligationPartsTests
{
    [Test]
    public async Task ReplayLatest_RedeliversTheSameTransaction_MarkedAsAReplay_AndObservationPairsItWithTheOriginal()
    {
        using var webhook = new FakeWebhook();
        await using var host = new DipTestHost(new Qualification.Stubs.Dip.DipEmulatorOptions { RetryBackoff = TimeSpan.FromMilliseconds(10) },
            DipTestHost.Supplier with { CallbackUrl = webhook.Url }, DipTestHost.MeteringService);
        var supplier = DipTestHost.Supplier.DipId;
        var payload = DipMessageFactory.Payload("IF-002", "[GainMPANInfo]", "1000000001", "REGS", new M0Block("2300000000019", "2500000001", "_J"), Instant.FromUtc(2026, 1, 5, 9, 0),
            new JsonObject { ["B013"] = new JsonObject { ["CSSRegistrationID"] = "CSS-1" } });
        await host.Dip.PublishAsync(payload, [supplier]);

        var replay = await host.Dip.ReplayLatestAsync("IF-002", supplier, "2300000000019");

        Assert.That(replay, Is.Not.Null);
        Assert.That(replay!.Value.Delivered, Is.True);
        var received = await webhook.WaitForAsync(2);
        var d0 = received.Select(r => JsonNode.Parse(r.Body)![0]!["payload"]!["CommonBlock"]!["D0"]!).ToList();
        Assert.That(d0.Select(d => d["transactionID"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { replay.Value.TransactionId }));
        Assert.That(d0.Select(d => d["replayIndicator"]!.GetValue<bool>()), Is.EqualTo(new[] { false, true }));
        var observed = Observation.Replays(host.Journal.Records).Single();
        Assert.That((observed.TransactionId, observed.OriginalDelivered, observed.InterfaceId), Is.EqualTo((replay.Value.TransactionId, true, "IF-002")));
        Assert.That(await host.Dip.ReplayLatestAsync("IF-002", supplier, "1412345678901"), Is.Null, "nothing to replay for another metering point");
    }

    [TestCase("01", 0)]
    [TestCase("02", 1)]
    public void SmartSwitchRead_MustBeOfTheTotalCumulativeRegister(string register, int findings)
    {
        var points = new MeteringPointDirectory().Add(new MeteringPoint("2300000000019", MigrationStatus.Migrated, MeterKind.Smart, "A12", CumulativeRegisterId: "01"));
        var text = "ZHV|S000000001|D0010002|X|REFS|N|DSRV|20260413000000||||TR01|\n026|2300000000019|U|\n028|E21Z000001|X|\n" +
                   $"030|{register}|20260325000000|4512.0|||T|N|\nZPT|S000000001|3||1|20260413000000|\n";
        var result = new FlowValidator(points: points).Validate(text);
        Assert.That(result.Findings.Count(f => f.RuleId == DtnRules.D0010Cumulative), Is.EqualTo(findings), string.Join("\n", result.Findings));

        // The journal record the gateway writes becomes one meter-reading fact carrying the finding.
        var record = new JournalRecord
        {
            Kind = JournalKind.Dtn, Sequence = 7, Scenario = "s", MarketTime = "2026-04-13T00:00:00+01:00", InterfaceId = "D0010002", From = "X:REFS", To = "N:DSRV", RawBody = text,
            Body = new JsonObject
            {
                ["direction"] = "inbound",
                ["findings"] = new JsonArray(result.Findings.Select(f => (JsonNode)new JsonObject { ["rule"] = f.RuleId, ["line"] = f.Line, ["message"] = f.Message }).ToArray()),
            },
        };
        var read = Observation.MeterReadings([record]).Single();
        Assert.That((read.Mpan, read.SenderMpid, read.SenderRole, read.ReadingType, read.SupplierAgreedSwitchRead), Is.EqualTo(("2300000000019", "REFS", "X", "X", true)));
        Assert.That(read.ReadingDates, Is.EqualTo(new LocalDate?[] { new LocalDate(2026, 3, 25) }));
        Assert.That(read.CumulativeFindings, Has.Count.EqualTo(findings));
    }

    private static Task<ReferenceParticipant> StartSupplierAsync(ParticipantFaults? faults = null) => ReferenceParticipant.StartAsync(new ParticipantOptions
    {
        Role = DipRole.Supplier, DipId = "2300000088", Mpid = "BILL", Faults = faults ?? ParticipantFaults.None,
        // Nothing listens there: billing sends nothing.
        DipUrl = new Uri($"http://127.0.0.1:{Qualify.FreePort()}"), CssUrl = new Uri($"http://127.0.0.1:{Qualify.FreePort()}"),
    });

    private static JsonObject BillParameters(bool migrated) => new()
    {
        ["mpan"] = "1412345678901", ["migrated"] = migrated ? "true" : "false", ["profileClass"] = "01", ["ssc"] = "0393", ["meterTimeswitchCode"] = "845",
        ["llfc"] = "801", ["duosTariffId"] = "A12",
    };

    [TestCase(true, false, "S 01 0393 A12")]
    [TestCase(false, false, "S 01 0393 801")]
    [TestCase(true, true, "S 01 845 801")]
    public async Task Bill_ThroughTheDriverApi_AnswersTheSupplyNumberPrinted(bool migrated, bool legacyFault, string expectedTopLine)
    {
        await using var supplier = await StartSupplierAsync(legacyFault ? new ParticipantFaults { LegacySupplyNumber = true } : null);
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(supplier.Url + "/driver/actions",
            new JsonObject { ["action"] = "bill", ["marketTime"] = "2026-01-05T09:00:00+00:00", ["parameters"] = BillParameters(migrated) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.That(answer.Text("supplyNumber", "topLine"), Is.EqualTo(expectedTopLine));
        Assert.That(answer.Text("supplyNumber", "bottomLine"), Is.EqualTo("1412345678901"));
    }

    [Test]
    public async Task Bill_ThroughThePortal_ShowsTheSupplyNumber()
    {
        await using var supplier = await StartSupplierAsync();
        using var http = new HttpClient();
        var form = BillParameters(migrated: true).ToDictionary(p => p.Key, p => p.Value!.ToString());
        form["marketTime"] = "2026-01-05T09:00:00+00:00";
        using var response = await http.PostAsync(supplier.Url + "/portal/bill", new FormUrlEncodedContent(form));
        var page = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        Assert.That(page, Does.Contain("<span id=\"supply-number-top\">S 01 0393 A12</span>").And.Contain("<span id=\"supply-number-bottom\">1412345678901</span>"));
    }
}
