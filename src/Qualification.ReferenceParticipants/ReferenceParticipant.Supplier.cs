using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;

namespace Qualification.ReferenceParticipants;

// Supplier obligations beyond reacting to one message: not acting twice on a DIP message it has
// already acted on (replays), raising switch meter reading exceptions (REC Schedule 30) and printing
// the R0083 Supply Number on its bills.
public sealed partial class ReferenceParticipant
{
    /// <summary>REC Schedule 30 (MHHS): the switch meter reading exceptions process triggers 10 working days after the supply start date, for all electricity meters.</summary>
    public const int SwitchReadExceptionWorkingDays = 10;

    // Transactions received, oldest forgotten first: the DIP itself keeps only so many for replay.
    private const int RememberedTransactions = 50_000;
    private readonly ConcurrentDictionary<string, byte> _actedOn = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _actedOnOrder = new();
    private readonly ConcurrentDictionary<string, GainedSwitch> _gained = new(StringComparer.Ordinal);

    // A switch this supplier gained, followed until its switch read is settled.
    private sealed class GainedSwitch(string registrationId, string mpan, M0Block m0, string segment, string? dataServiceMpid)
    {
        public string RegistrationId { get; } = registrationId;
        public string Mpan { get; } = mpan;
        public M0Block M0 { get; } = m0;
        public string Segment { get; } = segment;
        public string? DataServiceMpid { get; } = dataServiceMpid;
        public LocalDate? SupplyStart { get; set; }
        public bool ReadReceived { get; set; }
        public int Raised;
    }

    /// <summary>
    /// Whether to act on <paramref name="m"/>: a message whose DIP transaction this participant has
    /// already received (a replay, or a redelivery) is not acted on again. Also notes switches gained
    /// (IF-002) and switch reads received, to follow up switch meter reading exceptions.
    /// </summary>
    private bool Admit(DipMessage m)
    {
        var d0 = m.Payload.CommonBlock.D0;
        if (d0?.TransactionId is { Length: > 0 } transaction && _actedOn.TryAdd(transaction, 0))
        {
            _actedOnOrder.Enqueue(transaction);
            while (_actedOnOrder.Count > RememberedTransactions && _actedOnOrder.TryDequeue(out var old)) _actedOn.TryRemove(old, out _);
        }
        else if (d0?.TransactionId is { Length: > 0 } seen)
        {
            if (!(d0.ReplayIndicator && _options.Faults.ActOnReplays))
            {
                _log.Enqueue($"not acting again on {m.InterfaceId} {m.EventCode} transaction {seen}{(d0.ReplayIndicator ? " (replay)" : "")}");
                return false;
            }
        }
        if (m.InterfaceId == "IF-002" && m.EventCode == "[GainMPANInfo]" && m.Payload.CustomBlock.Text("B013", "CSSRegistrationID") is { } registrationId)
            _gained.TryAdd(registrationId, new GainedSwitch(registrationId, m.Mpan, m.Payload.CommonBlock.M0!, m.Payload.CustomBlock.Text("B026", "marketSegmentIndicator") ?? "S",
                m.Payload.CustomBlock.Text("B005", "currentDataServiceMPID")));
        // A switch read from the Data Service settles the switch: no exception to raise.
        if (m.InterfaceId == "IF-041" && m.EventCode is "[ReadingCOS]")
            foreach (var gained in _gained.Values.Where(g => g.Mpan == m.Mpan)) gained.ReadReceived = true;
        return true;
    }

    // Called whenever the harness says where market time stands (it goes back between test runs, so
    // the time told, not the latest ever seen): raise the exception for every gained switch whose
    // supply start is 10 working days past without a valid switch read.
    private async Task RaiseSwitchReadExceptionsAsync(Instant now)
    {
        if (_options.Role != DipRole.Supplier || _options.DtnUrl is null || _options.Faults.NoSwitchReadException) return;
        foreach (var (registrationId, gained) in _gained)
        {
            if (gained.ReadReceived || Volatile.Read(ref gained.Raised) != 0) continue;
            gained.SupplyStart ??= await SupplyStartAsync(registrationId);
            if (gained.SupplyStart is not { } start) continue;
            var trigger = _options.Calendar.WorkingDayDeadline(MarketTime.StartOfDay(start), SwitchReadExceptionWorkingDays);
            if (now < trigger || Interlocked.Exchange(ref gained.Raised, 1) != 0) continue;
            await SendSupplierAgreedSwitchReadAsync(gained.Mpan, start, gained, now);
        }
    }

    private async Task<LocalDate?> SupplyStartAsync(string registrationId)
    {
        if (_options.CssUrl is null) return null;
        try
        {
            using var response = await _http.GetAsync(new Uri(_options.CssUrl, $"/css/registrations/{registrationId}"), _stopping.Token);
            // A registration CSS no longer knows (or that was withdrawn) has no switch read to settle.
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                _gained.TryRemove(registrationId, out _);
                return null;
            }
            var registration = await response.Content.ReadFromJsonAsync<JsonObject>(_stopping.Token);
            if (registration.Text("status") == "Withdrawn") _gained.TryRemove(registrationId, out _);
            // Only a completed switch has a switch read to settle.
            if (registration.Text("status") != "Active") return null;
            var parsed = NodaTime.Text.LocalDatePattern.Iso.Parse(registration.Text("effectiveFromDate") ?? "");
            return parsed.Success ? parsed.Value : null;
        }
        catch (HttpRequestException e)
        {
            _log.Enqueue($"CSS registration {registrationId} unreadable: {e.Message}");
            return null;
        }
    }

    // D0010 with reading type X 'Supplier Agreed Switch Read', read at the supply start date; for a
    // Smart meter the total cumulative register (this supplier's meters read it as register 01).
    private async Task SendSupplierAgreedSwitchReadAsync(string mpan, LocalDate start, GainedSwitch gained, Instant at)
    {
        var stamp = at.InZone(MarketTime.London).ToString("uuuuMMddHHmmss", null);
        var fileId = $"S{Interlocked.Increment(ref _files):D9}";
        var toRole = gained.Segment == "A" ? "O" : "N";
        var records = new[]
        {
            $"026|{mpan}|U|",
            "028|E21Z000001|X|",
            $"030|01|{start:uuuuMMdd}000000|4512.0|||T|N|",
        };
        var flow = $"ZHV|{fileId}|D0010002|X|{_options.Mpid}|{toRole}|{gained.DataServiceMpid ?? "DSRV"}|{stamp}||||TR01|\n"
                   + string.Concat(records.Select(r => r + "\n")) + $"ZPT|{fileId}|{records.Length}||1|{stamp}|\n";
        using var content = new StringContent(flow, System.Text.Encoding.Latin1, "text/plain");
        using var response = await _http.PostAsync(new Uri(_options.DtnUrl!, "/dtn/flows"), content, _stopping.Token);
        _log.Enqueue($"sent D0010 {fileId} (Supplier Agreed Switch Read) for {mpan}: {(int)response.StatusCode}");
    }

    /// <summary>
    /// The driver's answer to an accepted action; for <c>bill</c> it carries the Supply Number the bill
    /// prints (<c>supplyNumber.topLine</c>, <c>supplyNumber.bottomLine</c>).
    /// </summary>
    private JsonObject AcceptedAnswer(string? action, JsonObject parameters)
    {
        var answer = new JsonObject { ["action"] = action, ["status"] = "accepted" };
        if (action == "bill") answer["supplyNumber"] = SupplyNumberOnBill(parameters);
        return answer;
    }

    // REC R0083: top line Profile Class, SSC (not the MTC) and DUoS Tariff Id (not the LLFC Id); a
    // non-migrated MPAN keeps its LLFC Id. The parameters are the registration data the supplier holds.
    private JsonObject SupplyNumberOnBill(JsonObject p)
    {
        var core = MpanCore.Parse(p.Text("mpan")!);
        var migrated = p.Text("migrated") == "true";
        var number = migrated
            ? SupplyNumber.ForMigrated(core, p.Text("profileClass"), p.Text("ssc"), p.Text("duosTariffId"))
            : SupplyNumber.ForNonMigrated(core, p.Text("profileClass"), p.Text("ssc"), p.Text("llfc"));
        // Deliberately wrong: the layout before R0083 (Profile Class, MTC, LLFC Id).
        var top = _options.Faults.LegacySupplyNumber
            ? $"S {(p.Text("profileClass") ?? "").PadRight(2)} {(p.Text("meterTimeswitchCode") ?? "").PadRight(3)} {(p.Text("llfc") ?? "").PadRight(3)}"
            : number.TopLine;
        return new JsonObject { ["topLine"] = top, ["bottomLine"] = number.BottomLine };
    }

    // The portal shows the bill's Supply Number as printed: top line over the MPAN core.
    private string BillHtml(string action, JsonObject parameters)
    {
        if (action != "bill") return "";
        var number = SupplyNumberOnBill(parameters);
        return $"<p>Supply Number</p><pre id=\"supply-number\"><span id=\"supply-number-top\">{Enc(number.Text("topLine"))}</span>\n<span id=\"supply-number-bottom\">{Enc(number.Text("bottomLine"))}</span></pre>";
    }
}
