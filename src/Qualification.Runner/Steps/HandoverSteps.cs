using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Dtn.IO;
using Qualification.Runner.Execution;
using Qualification.Stubs;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>
/// Steps of a change of metering service at an Advanced metering point (REC deck, "Supplier agent
/// appointment" notes 2 and 3): the losing service's MTDs to the gaining one by D0268 after IF-035
/// [IMS-SendMTD], the gaining service's D0170 when they do not come, and the register readings
/// after Advanced meter works by D0010. The harness plays the other metering service.
/// </summary>
[Binding]
public sealed class HandoverSteps(ScenarioWorld world)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Instant? _sendMtdNotice;

    /// <summary>Asks the supplier (through its driver) to appoint the harness's gaining metering service in place of the one under qualification.</summary>
    [StepExample("When the supplier appoints the gaining metering service to 1900012374324 from 2026-02-09")]
    [When(@"^the supplier appoints the gaining metering service to (\S+) from (\d{4}-\d{2}-\d{2})$")]
    public Task WhenTheSupplierAppointsTheGainingService(string mpanText, string date)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        var efd = MarketTime.ToDip(MarketTime.StartOfDay(NodaTime.Text.LocalDatePattern.Iso.Parse(date).GetValueOrThrow()));
        return h.Driver.PerformAsync(h.Supplier, "appoint-metering-service", new JsonObject
        {
            ["mpan"] = mpan.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup, ["effectiveFrom"] = efd,
            ["serviceDipId"] = HarnessParties.GainingMeteringServiceDipId, ["serviceMpid"] = HarnessParties.GainingMeteringServiceMpid, ["scenario"] = "CSP",
        });
    }

    /// <summary>The harness's gaining metering service answers its IF-033 with IF-034 A through the DIP; SMRS confirms with IF-035 [MSAppAccepted].</summary>
    [StepExample("Then the gaining metering service accepts the appointment for 1900012374324")]
    [Then(@"^the gaining metering service accepts the appointment for (\S+)$")]
    public async Task ThenTheGainingServiceAccepts(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var until = h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        var request = await world.WaitForPublicationAsync("IF-033", "[MSAppSPRequest]", mpan.Value, HarnessParties.GainingMeteringServiceDipId, until)
            ?? throw new ExpectationFailedException($"SMRS sent no IF-033 for {mpan} to the gaining metering service {HarnessParties.GainingMeteringServiceMpid}: {h.Supplier} did not request its appointment, or SMRS rejected it (see IF-032).");
        var payload = ScenarioWorld.PayloadOf(request)!;
        var party = h.Directory.Find(HarnessParties.GainingMeteringServiceDipId)
            ?? throw new InvalidOperationException("The harness's gaining metering service is not registered with the DIP.");
        var custom = new JsonObject
        {
            ["B007"] = new JsonObject { ["responseCode"] = "A", ["proposedAppointmentResponseCode"] = "SP000 - Proposed Appointment ACCEPTED" },
            ["B012"] = payload["CustomBlock"]?["B012"]?.DeepClone(),
            ["B070"] = payload["CustomBlock"]?["B070"]?.DeepClone(),
        };
        if (payload["CustomBlock"]?["B013"] is { } b013) custom["B013"] = b013.DeepClone();
        var point = world.DeclaredPoint(mpan);
        var answer = DipMessageFactory.Payload("IF-034", "[MSAppSPResponse]", party.DipId, party.Role, new M0Block(mpan.Value, point.DistributorDipId, point.GspGroup),
            h.Clock.GetCurrentInstant(), custom, ScenarioWorld.Text(payload, "CommonBlock", "S1", "senderCorrelationID"));
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(h.Dip.Url), "/dip-channel/IF-034"))
        {
            Content = new StringContent(DipMessage.ToArrayJson([new DipMessage(answer)]), Encoding.UTF8, "application/json"),
        };
        if (party.ApiKey is not null) post.Headers.Add("X-API-Key", party.ApiKey);
        using var response = await Http.SendAsync(post, ScenarioWorld.Cancellation);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The DIP refused the gaining metering service's IF-034 for {mpan}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        _ = await world.WaitForPublicationAsync("IF-035", "[MSAppAccepted]", mpan.Value, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new InvalidOperationException($"The registration service did not publish IF-035 [MSAppAccepted] for {mpan} after the gaining metering service accepted.");
    }

    /// <summary>IF-035 [IMS-SendMTD] reached the metering service under qualification, the losing one.</summary>
    [StepExample("Then the registration service tells the metering service to send its meter technical details for 1900012374324 to the gaining metering service")]
    [Then(@"^the registration service tells the metering service to send its meter technical details for (\S+) to the gaining metering service$")]
    public async Task ThenTheRegistrationServiceTellsTheLosingService(string mpan)
    {
        var h = world.Harness;
        var notice = await world.WaitForPublicationAsync("IF-035", "[IMS-SendMTD]", mpan, h.MeteringService.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new InvalidOperationException($"SMRS delivered no IF-035 [IMS-SendMTD] for {mpan} to {h.MeteringService}; is it the appointed metering service there?");
        _sendMtdNotice = ScenarioWorld.TimeOf(notice);
    }

    /// <summary>A valid D0268 for the MPAN from the metering service to the gaining one within N minutes of IF-035 [IMS-SendMTD].</summary>
    [StepExample("Then the metering service sends the advanced meter technical details for 1900012374324 to the gaining metering service within 120 minutes")]
    [Then(@"^the metering service sends the advanced meter technical details for (\S+) to the gaining metering service within (\d+) minutes$")]
    public async Task ThenTheLosingServiceSendsD0268(string mpan, int minutes)
    {
        var h = world.Harness;
        var from = _sendMtdNotice ?? throw new Composition.InputException("No IF-035 [IMS-SendMTD] was observed in this scenario; put 'Then the registration service tells the metering service to send its meter technical details …' first.");
        var limit = Duration.FromMinutes(minutes);
        // Watch for as long again after the deadline, so a late D0268 is reported late rather than missing.
        var flow = await WaitForFlowAsync("D0268", h.MeteringService.Mpid, HarnessParties.GainingMeteringServiceMpid, mpan, from + limit + limit)
            ?? throw new ExpectationFailedException($"{h.MeteringService} sent no D0268 for {mpan} to the gaining metering service {HarnessParties.GainingMeteringServiceMpid} within {minutes} minutes of IF-035 [IMS-SendMTD] ({MarketTime.ToDip(from)}).");
        if (flow.Status != 202)
            throw new ExpectationFailedException($"The D0268 for {mpan} from {h.MeteringService} to {HarnessParties.GainingMeteringServiceMpid} failed validation: {flow.Note}.");
        var took = ScenarioWorld.TimeOf(flow) - from;
        if (took > limit)
            throw new ExpectationFailedException($"{h.MeteringService} sent the D0268 for {mpan} {took.TotalMinutes:0} minutes after IF-035 [IMS-SendMTD]; the limit is {minutes} minutes.");
    }

    /// <summary>The harness's incumbent metering service, the losing one, sends its D0268 for the MPAN to the metering service under qualification.</summary>
    [StepExample("When the incumbent metering service sends the advanced meter technical details for 1900012374324 to the metering service")]
    [When(@"^the incumbent metering service sends the advanced meter technical details for (\S+) to the metering service$")]
    public void WhenTheIncumbentSendsD0268(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        world.DeclaredPoint(mpan);
        var now = h.Clock.GetCurrentInstant();
        var local = now.InZone(MarketTime.London).LocalDateTime;
        var stamp = ZhvHeader.Timestamp(local.ToDateTimeUnspecified());
        var date = local.Date.ToString("uuuuMMdd", null);
        using var buffer = new MemoryStream();
        using (var writer = new DtnWriter(buffer, leaveOpen: true))
        {
            writer.WriteHeader(new ZhvHeader
            {
                FileId = $"INCM{now.ToUnixTimeSeconds() % 1_000_000:D6}", FlowAndVersion = "D0268002", FromRole = "M", FromMpid = HarnessParties.IncumbentMeteringServiceMpid,
                ToRole = "M", ToMpid = h.MeteringService.Mpid, CreatedAt = stamp, TestDataFlag = "TR01",
            });
            writer.WriteGroup("01A", [mpan.Value, date, "5", "2", "F", null, "415", "3", "A", null]);
            writer.WriteGroup("02A", ["OS0009", "ABC", null, "3", "6", null, null, null, null, null, null, null, null, "GS", null, null, "10.0.0.9", null, null, null, null, null, null]);
            writer.WriteGroup("03A", ["M0009", "ACME CT", date, null, null, "200/5", "3P4W", "A", date, "MAPA"]);
            writer.WriteGroup("04A", ["01", "OS0009", "001", "1.000000", "1.00", "1.0000", "AI", "6", null, null]);
            writer.WriteTrailer(stamp);
        }
        var transfer = h.Dtn.Send(Encoding.Latin1.GetString(buffer.ToArray()));
        if (!transfer.Validation.IsValid)
            throw new InvalidOperationException($"The harness's own D0268 for {mpan} failed validation: {string.Join("; ", transfer.Validation.Findings.Take(3).Select(f => f.Message))}");
    }

    /// <summary>A valid D0170 for the MPAN from the metering service under qualification to the incumbent (losing) metering service.</summary>
    [StepExample("Then the metering service requests the missing meter technical details for 1900012374324 from the incumbent metering service by D0170")]
    [Then(@"^the metering service requests the missing meter technical details for (\S+) from the incumbent metering service by D0170$")]
    public async Task ThenTheGainingServiceRequestsMtds(string mpan)
    {
        var h = world.Harness;
        var flow = await WaitForFlowAsync("D0170", h.MeteringService.Mpid, HarnessParties.IncumbentMeteringServiceMpid, mpan, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"{h.MeteringService} sent no D0170 for {mpan} to the losing metering service {HarnessParties.IncumbentMeteringServiceMpid}, though no MTDs came from it.");
        if (flow.Status != 202)
            throw new ExpectationFailedException($"The D0170 for {mpan} from {h.MeteringService} failed validation: {flow.Note}.");
    }

    /// <summary>No D0170 for the MPAN from the metering service under qualification for N minutes (its MTDs arrived).</summary>
    [StepExample("Then the metering service does not request meter technical details for 1900012374324 by D0170 within 60 minutes")]
    [Then(@"^the metering service does not request meter technical details for (\S+) by D0170 within (\d+) minutes$")]
    public async Task ThenTheGainingServiceDoesNotRequest(string mpan, int minutes)
    {
        var h = world.Harness;
        var flow = await WaitForFlowAsync("D0170", h.MeteringService.Mpid, null, mpan, h.Clock.GetCurrentInstant() + Duration.FromMinutes(minutes));
        if (flow is not null)
            throw new ExpectationFailedException($"{h.MeteringService} sent a D0170 for {mpan} at {flow.MarketTime} although the losing service's D0268 had arrived.");
    }

    /// <summary>A valid D0010 with register readings for the MPAN from the metering service after Advanced meter works.</summary>
    [StepExample("Then the metering service shares the register readings for 1900012374324 by D0010")]
    [Then(@"^the metering service shares the register readings for (\S+) by D0010$")]
    public async Task ThenTheMeteringServiceSharesD0010(string mpan)
    {
        var h = world.Harness;
        var flow = await WaitForFlowAsync("D0010", h.MeteringService.Mpid, null, mpan, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"{h.MeteringService} shared no D0010 for {mpan} after the meter works at an Advanced metering point.");
        if (flow.Status != 202)
            throw new ExpectationFailedException($"The D0010 for {mpan} from {h.MeteringService} failed validation: {flow.Note}.");
        var (_, readings) = FlowContents.Read(flow.InterfaceId, flow.RawBody);
        if (readings.GetValueOrDefault(mpan) == 0)
            throw new ExpectationFailedException($"The D0010 for {mpan} from {h.MeteringService} carries no register reading (group 030) for it.");
    }

    // An inbound flow of this scenario: flow id, sender and (optionally) recipient MPIDs, carrying the MPAN.
    private Task<JournalRecord?> WaitForFlowAsync(string flowId, string fromMpid, string? toMpid, string mpan, Instant until) =>
        world.WaitForAsync(r => r.Kind == JournalKind.Dtn && r.Body?["direction"]?.ToString() == "inbound" && r.InterfaceId?.StartsWith(flowId, StringComparison.Ordinal) == true
                                && r.From?.EndsWith(":" + fromMpid, StringComparison.Ordinal) == true
                                && (toMpid is null || r.To?.EndsWith(":" + toMpid, StringComparison.Ordinal) == true)
                                && r.RawBody?.Contains("|" + mpan + "|", StringComparison.Ordinal) == true, until);
}
