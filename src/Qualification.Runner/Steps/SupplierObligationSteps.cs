using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>
/// Steps of the supplier's own obligations: switch meter reading exceptions (REC Schedule 30), DIP
/// replays (the DIP redelivers a message; the supplier must not act on it twice) and the Supply
/// Number its bills print (REC R0083).
/// </summary>
[Binding]
public sealed class SupplierObligationSteps(ScenarioWorld world)
{
    private Instant? _replayedAt;
    private readonly Dictionary<string, Uri?> _webhooksBeforeOutage = new(StringComparer.Ordinal);

    // ---- switch meter reading exceptions -------------------------------------------------------

    /// <summary>
    /// The supplier follows market time through its test clock (driver API <c>POST /driver/clock</c>):
    /// an obligation working days away is observable only then, so without one the scenario is skipped.
    /// </summary>
    [StepExample("Given the supplier follows market time")]
    [Given(@"^the supplier follows market time$")]
    public void GivenTheSupplierFollowsMarketTime()
    {
        var h = world.Harness;
        if (!h.Drivers.ContainsKey(h.Supplier.DipId))
            throw new ScenarioSkippedException($"{h.Supplier} has no test clock the harness can move (profile endpoints.driverUrl: POST /driver/clock), so an obligation working days away cannot be observed in this run.");
    }

    /// <summary>SMRS records which register of the metering point's Smart meter is the total cumulative register (readings must be of it).</summary>
    [StepExample("Given the total cumulative register of the meter at 2300000000019 is register 01")]
    [Given(@"^the total cumulative register of the meter at (\S+) is register (\d{2})$")]
    public void GivenTheCumulativeRegister(string mpanText, string register)
    {
        var point = world.DeclaredPoint(MarketSteps.Mpan(mpanText));
        world.Harness.Smrs.AddMeteringPoint(point with { CumulativeRegisterId = register });
    }

    /// <summary>
    /// The supplier sends a D0010 with reading type 'Supplier Agreed Switch Read' for the metering point,
    /// read at its supply start date. The harness watches for the given working days from now, moving
    /// market time a working day at a time while none has arrived.
    /// </summary>
    [StepExample("Then the supplier raises a switch read exception for 2300000000019 within 5 working days")]
    [Then(@"^the supplier raises a switch read exception for (\S+) within (\d+) working days$")]
    public async Task ThenTheSupplierRaisesASwitchReadException(string mpanText, int days)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var registration = h.Smrs.Registrations(mpan.Value).LastOrDefault(r => r.SupplierDipId == h.Supplier.DipId)
            ?? throw new InputException($"The supplier has no registration to {mpan}; put 'When a switch of {mpan} to the supplier effective … becomes pending' first.");
        var until = h.Options.Calendar.WorkingDayDeadline(h.Clock.GetCurrentInstant(), days);
        while (true)
        {
            var found = await world.WaitForAsync(r => IsSwitchRead(r, mpan.Value, h.Supplier.Mpid), h.Clock.GetCurrentInstant() + Duration.FromMinutes(30));
            if (found is not null)
            {
                var read = Observation.MeterReadings([found]).First(m => m.Mpan == mpan.Value && m.SupplierAgreedSwitchRead);
                if (read.ReadingDates.Any(d => d != registration.EffectiveFrom))
                    throw new ExpectationFailedException($"{h.Supplier} raised the switch read exception for {mpan} with a reading dated {string.Join(", ", read.ReadingDates)}, not the supply start date {registration.EffectiveFrom:uuuu-MM-dd}.");
                if (read.CumulativeFindings.Count > 0)
                    throw new ExpectationFailedException($"{h.Supplier}'s switch read for {mpan}: {read.CumulativeFindings[0]}.");
                return;
            }
            var now = h.Clock.GetCurrentInstant();
            if (now >= until)
                throw new ExpectationFailedException($"{h.Supplier} sent no D0010 'Supplier Agreed Switch Read' for {mpan} by {MarketTime.ToDip(until)} ({days} working days).");
            // Next working day at the same time of day, or the deadline.
            var next = h.Options.Calendar.AddWorkingDays(MarketTime.LocalDateOf(now), 1).At(now.InZone(MarketTime.London).TimeOfDay).InZoneLeniently(MarketTime.London).ToInstant();
            await h.SettleAsync();
            h.Clock.AdvanceTo(next < until ? next : until);
            await h.Driver.NotifyClockAsync();
        }
    }

    /// <summary>
    /// The harness's Smart Data Service shares the switch read with the gaining supplier (IF-041
    /// [ReadingCOS]): the cumulative register read at the supply start date, so no exception is needed.
    /// </summary>
    [StepExample("When the data service shares the switch read for 2300000000019")]
    [When(@"^the data service shares the switch read for (\S+)$")]
    public Task WhenTheDataServiceSharesTheSwitchRead(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        var registration = h.Smrs.Registrations(mpan.Value).LastOrDefault(r => r.SupplierDipId == h.Supplier.DipId)
            ?? throw new InputException($"The supplier has no registration to {mpan}; put 'When a switch of {mpan} to the supplier effective … becomes pending' first.");
        var read = new JsonObject
        {
            ["meterID"] = "E21Z000001", ["cumulativeRegisterReading"] = "4512.000",
            ["cumulativeRegisterReadingDateTime"] = MarketTime.ToDip(MarketTime.StartOfDay(registration.EffectiveFrom)), ["readingMethod"] = "A", ["siteVisitCheckCode"] = null,
        };
        var payload = DipMessageFactory.Payload("IF-041", "[ReadingCOS]", Stubs.HarnessParties.SmartDataServiceDipId, DipRole.SmartDataService,
            new M0Block(mpan.Value, point.DistributorDipId, point.GspGroup), h.Clock.GetCurrentInstant(), new JsonObject { ["B064List"] = new JsonArray(read) });
        return h.Dip.PublishAsync(payload, [h.Supplier.DipId]);
    }

    /// <summary>The supplier sent no D0010 'Supplier Agreed Switch Read' for the metering point in this scenario.</summary>
    [StepExample("Then the supplier raises no switch read exception for 2300000000019")]
    [Then(@"^the supplier raises no switch read exception for (\S+)$")]
    public async Task ThenTheSupplierRaisesNoSwitchReadException(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        await h.SettleAsync();
        var raised = h.Journal.Records.FirstOrDefault(r => r.Scenario == h.CurrentScenario && IsSwitchRead(r, mpan.Value, h.Supplier.Mpid));
        if (raised is not null)
            throw new ExpectationFailedException($"{h.Supplier} raised a switch read exception for {mpan} at {raised.MarketTime} although the data service had shared the switch read.");
    }

    private static bool IsSwitchRead(JournalRecord r, string mpan, string supplierMpid) =>
        r.Kind == JournalKind.Dtn && r.Body?["direction"]?.ToString() == "inbound" && r.From?.EndsWith(":" + supplierMpid, StringComparison.Ordinal) == true
        && Observation.MeterReadings([r]).Any(m => m.Mpan == mpan && m.SupplierAgreedSwitchRead);

    // ---- DIP replays ---------------------------------------------------------------------------

    /// <summary>
    /// The DIP redelivers the scenario's latest publication on the interface to the supplier as a
    /// replay: the same egress item and transaction id, with replayIndicator true.
    /// </summary>
    [StepExample("When the DIP replays the last IF-002 to the supplier")]
    [When(@"^the DIP replays the last (IF-\d{3}) to the supplier$")]
    public async Task WhenTheDipReplays(string interfaceId)
    {
        var h = world.Harness;
        await h.SettleAsync();
        var last = h.Journal.Records.LastOrDefault(r => r.Scenario == h.CurrentScenario && r.Kind == JournalKind.Push && r.InterfaceId == interfaceId && r.To == h.Supplier.DipId)
            ?? throw new InputException($"No {interfaceId} was published to the supplier in this scenario, so there is nothing to replay; put the step that causes it first.");
        _replayedAt = h.Clock.GetCurrentInstant();
        var replay = await h.Dip.ReplayLatestAsync(interfaceId, h.Supplier.DipId, last.Mpan);
        if (replay is null)
            throw new InvalidOperationException($"The DIP no longer holds the {interfaceId} to {h.Supplier} for {last.Mpan}; it cannot replay it.");
        if (!replay.Value.Delivered)
            throw new ExpectationFailedException($"The DIP could not deliver the replay of {interfaceId} (transaction {replay.Value.TransactionId}) to {h.Supplier}; see the journal's push records.");
    }

    /// <summary>After a replay, the supplier sends no further IF-031 [MSApp] for the metering point within the given minutes.</summary>
    [StepExample("Then the supplier sends no second metering service appointment request for 2300000000019 within 60 minutes")]
    [Then(@"^the supplier sends no second metering service appointment request for (\S+) within (\d+) minutes$")]
    public async Task ThenNoSecondRequest(string mpanText, int minutes)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var since = _replayedAt ?? throw new InputException("No replay happened in this scenario; put 'When the DIP replays the last IF-002 to the supplier' first.");
        // Requests for the metering point in this scenario, before and after the replay.
        List<Rules.Facts.ObservedMessage> Requests() => Observation.Facts(h.Journal.Records.Where(r => r.Scenario == h.CurrentScenario))
            .Where(f => f.Direction == Rules.Facts.Direction.Sent && f.InterfaceId == "IF-031" && f.EventCode == "[MSApp]" && f.SchemaValid && f.Mpan == mpan.Value && f.SenderDipId == h.Supplier.DipId)
            .ToList();
        // A second request ends the wait at once; otherwise watch for the whole period.
        await world.WaitForAsync(r => r.Kind == JournalKind.Response && r.InterfaceId == "IF-031" && Requests().Count > 1, since + Duration.FromMinutes(minutes));
        var requests = Requests();
        if (requests.Count > 1)
            throw new ExpectationFailedException($"{h.Supplier} acted on the replay: it sent {requests.Count} IF-031 [MSApp] for {mpan}, at {string.Join(", ", requests.Select(r => MarketTime.ToDip(r.MarketTime)))}.");
    }

    /// <summary>The supplier's endpoint cannot be reached: every DIP delivery to it fails (a network outage on its side).</summary>
    [StepExample("Given the DIP cannot reach the supplier")]
    [Given(@"^the DIP cannot reach the supplier$")]
    public void GivenTheDipCannotReachTheSupplier()
    {
        var h = world.Harness;
        var closed = ClosedLoopbackUrl();
        foreach (var channel in h.Dip.Schemas.Interfaces)
        {
            var current = h.Directory.CallbackFor(channel, h.Supplier.DipId);
            // Only a channel webhook of its own is put back afterwards; the participant's callback stays as it is.
            _webhooksBeforeOutage.TryAdd(channel, current == h.Supplier.CallbackUrl ? null : current);
            h.Directory.SetWebhook(channel, h.Supplier.DipId, closed);
        }
        h.Note($"outage: DIP deliveries to {h.Supplier} go to {closed}, where nothing listens");
    }

    /// <summary>The outage is over: deliveries go to the supplier's own endpoint again.</summary>
    [StepExample("When the DIP can reach the supplier again")]
    [When(@"^the DIP can reach the supplier again$")]
    public void WhenTheDipCanReachTheSupplierAgain()
    {
        var h = world.Harness;
        if (_webhooksBeforeOutage.Count == 0) throw new InputException("No outage was set in this scenario; put 'Given the DIP cannot reach the supplier' first.");
        foreach (var (channel, before) in _webhooksBeforeOutage)
        {
            if (before is null) h.Directory.RemoveWebhook(channel, h.Supplier.DipId);
            else h.Directory.SetWebhook(channel, h.Supplier.DipId, before);
        }
        _webhooksBeforeOutage.Clear();
        h.Note($"outage over: DIP deliveries go to {h.Supplier} again");
    }

    /// <summary>An outage never outlives its scenario: the supplier's webhooks are put back even when the scenario stopped early.</summary>
    [AfterScenario]
    public void EndOutage()
    {
        if (_webhooksBeforeOutage.Count > 0) WhenTheDipCanReachTheSupplierAgain();
    }

    /// <summary>The DIP tried to deliver the publication to the supplier and gave up.</summary>
    [StepExample("Then the DIP could not deliver the IF-002 for 2300000000019 to the supplier")]
    [Then(@"^the DIP could not deliver the (IF-\d{3}) for (\S+) to the supplier$")]
    public void ThenTheDipCouldNotDeliver(string interfaceId, string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText).Value;
        var attempts = h.Journal.Records.Where(r => r.Scenario == h.CurrentScenario && r.Kind == JournalKind.Push && r.InterfaceId == interfaceId && r.Mpan == mpan && r.To == h.Supplier.DipId).ToList();
        if (attempts.Count == 0) throw new InvalidOperationException($"The DIP published no {interfaceId} for {mpan} to {h.Supplier}.");
        if (attempts.Any(r => r.Status is >= 200 and < 300))
            throw new InvalidOperationException($"The DIP delivered {interfaceId} for {mpan} to {h.Supplier} although it was to be unreachable.");
    }

    // A loopback port nothing listens on: taken from the system, then released.
    private static Uri ClosedLoopbackUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/dip/inbound");
    }

    // ---- Supply Number (R0083) -----------------------------------------------------------------

    /// <summary>
    /// Declares a metering point registered to the supplier (metering service appointed) with its
    /// registration data: migrated or not, Profile Class, SSC, MTC, LLFC and DUoS Tariff Id ("none" for a value it lacks).
    /// </summary>
    [StepExample("Given a migrated smart metering point 2300000000019 supplied by the supplier with profile class none, SSC 0393, MTC 845, LLFC 801 and DUoS tariff A12")]
    [Given(@"^an? (migrated|non-migrated) (smart|advanced) metering point (\S+) supplied by the supplier with profile class (\S+), SSC (\S+), MTC (\S+), LLFC (\S+) and DUoS tariff (\S+)$")]
    public void GivenAPointWithRegistrationData(string regime, string segment, string mpanText, string profileClass, string ssc, string mtc, string llfc, string tariff)
    {
        new MarketSteps(world).GivenAMeteringPointWithTheMeteringServiceAppointed(segment, mpanText, "metering service");
        var point = world.DeclaredPoint(MarketSteps.Mpan(mpanText));
        static string? Value(string text) => text == "none" ? null : text;
        world.Harness.Smrs.AddMeteringPoint(point with
        {
            Migrated = regime == "migrated", ProfileClass = Value(profileClass), Ssc = Value(ssc), MeterTimeswitchCode = Value(mtc), Llfc = Value(llfc),
            DuosTariffId = Value(tariff) ?? "",
        });
    }

    /// <summary>Asks the supplier (driver action <c>bill</c>) to bill the customer, giving the registration data SMRS holds; its answer names the Supply Number printed.</summary>
    [StepExample("When the supplier bills the customer at 2300000000019")]
    [When(@"^the supplier bills the customer at (\S+)$")]
    public Task WhenTheSupplierBills(string mpanText)
    {
        var h = world.Harness;
        var point = world.DeclaredPoint(MarketSteps.Mpan(mpanText));
        // The Supply Number is read back from the candidate; a channel that cannot return it skips the scenario, never passes or fails it.
        if (h.Options.Candidate is { } candidate && candidate.DipId == h.Supplier.DipId)
        {
            if (candidate.Drive == DriveMode.Prompt)
                throw new ScenarioSkippedException($"{h.Supplier} is driven by operator prompts, which cannot return the Supply Number a bill prints; give endpoints.driverUrl (drive: api) or a portal page for 'bill' with answers.");
            if (candidate.Drive == DriveMode.Browser && candidate.Portal?.Actions.GetValueOrDefault("bill") is { } page && !page.Answers.ContainsKey("supplyNumber.topLine"))
                throw new ScenarioSkippedException($"{h.Supplier}'s portal page for 'bill' maps no answer 'supplyNumber.topLine' (profile portal.actions.bill.answers), so the Supply Number it prints cannot be read.");
        }
        var parameters = new JsonObject
        {
            ["mpan"] = point.Mpan.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup, ["migrated"] = point.Migrated ? "true" : "false",
        };
        foreach (var (name, value) in new[] { ("profileClass", point.ProfileClass), ("ssc", point.Ssc), ("meterTimeswitchCode", point.MeterTimeswitchCode), ("llfc", point.Llfc), ("duosTariffId", point.DuosTariffId) })
            if (!string.IsNullOrEmpty(value)) parameters[name] = value;
        return h.Driver.PerformAsync(h.Supplier, "bill", parameters);
    }

    /// <summary>The Supply Number the supplier's bill prints is the R0083 one for the metering point's registration data.</summary>
    [StepExample("Then the bill for 2300000000019 shows the R0083 supply number")]
    [Then(@"^the bill for (\S+) shows the R0083 supply number$")]
    public void ThenTheBillShowsTheSupplyNumber(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var bill = Observation.SupplyNumbers(h.Journal.Records.Where(r => r.Scenario == h.CurrentScenario)).LastOrDefault(b => b.Mpan == mpan.Value)
            ?? throw new InputException($"The supplier was not asked to bill {mpan} in this scenario; put 'When the supplier bills the customer at {mpan}' first.");
        var expected = bill.Migrated ? SupplyNumber.ForMigrated(mpan, bill.ProfileClass, bill.Ssc, bill.DuosTariffId) : SupplyNumber.ForNonMigrated(mpan, bill.ProfileClass, bill.Ssc, bill.Llfc);
        if (bill.TopLine is null)
            throw new ExpectationFailedException($"{h.Supplier} did not say which Supply Number the bill of {mpan} prints (driver answer supplyNumber.topLine).");
        if (bill.TopLine.TrimEnd() != expected.TopLine.TrimEnd() || bill.BottomLine != expected.BottomLine)
            throw new ExpectationFailedException($"The bill of {mpan} prints '{bill.TopLine}' over '{bill.BottomLine}'; R0083 gives '{expected.TopLine}' over '{expected.BottomLine}'.");
    }
}
