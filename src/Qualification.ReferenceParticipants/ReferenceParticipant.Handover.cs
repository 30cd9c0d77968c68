using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;

namespace Qualification.ReferenceParticipants;

// A change of metering service at an Advanced metering point, from both sides, and the register
// readings that follow Advanced meter works (REC deck, "Supplier agent appointment" notes 2 and 3;
// "Meter readings"): the losing service sends its MTDs to the gaining one by D0268 when SMRS says so
// (IF-035 [IMS-SendMTD]); the gaining service, if none arrive within the losing service's window,
// asks for them by D0170; and after works the register readings go to the supplier by D0010.
public sealed partial class ReferenceParticipant
{
    // The losing service's window for sending MTDs (REC deck: within 120 minutes of the acceptance).
    private static readonly Duration MtdWindow = Duration.FromMinutes(120);

    // What this service knows of a metering point it serves or is asked to serve.
    private sealed record KnownPoint(string? Segment, string? MeterId, string? IncumbentMpid);

    private readonly ConcurrentDictionary<string, KnownPoint> _known = new(StringComparer.Ordinal);

    // After works: the point's segment and the meter now on site (none after a removal).
    private void RememberWorks(string mpan, string? segment, string? meterId) =>
        _known.AddOrUpdate(mpan, _ => new KnownPoint(segment, meterId, null), (_, k) => k with { Segment = segment ?? k.Segment, MeterId = meterId });

    // IF-033: note the point's segment (B026) and the incumbent (B072) before answering. A new request
    // replaces what was known, so an incumbent of an earlier appointment is never asked by mistake.
    private Task AnswerAppointmentRequestNotingIncumbentAsync(DipMessage request)
    {
        _known[request.Mpan] = new KnownPoint(request.Payload.CustomBlock.Text("B026", "marketSegmentIndicator"), null,
            request.Payload.CustomBlock.Text("B072", "incumbentMeteringServiceMPID"));
        return AnswerAppointmentRequestAsync(request);
    }

    // After works this service knows the meter on site; at Advanced points it shares the register readings by D0010.
    private async Task AfterMeterWorksAsync(string action, Instant at, M0Block m0, JsonObject p)
    {
        RememberWorks(m0.MpanCore, p.Text("segment"), action == "remove-meter" ? null : p.Text("meterId") ?? "E21Z000002");
        if (p.Text("segment") != "A" || _options.Faults.NoRegisterReadingsFlow || p.Text("supplierMpid") is not { } supplier) return;
        var readAt = at.InZone(MarketTime.London).ToString("uuuuMMddHHmmss", null);
        var records = new List<string> { $"026|{m0.MpanCore}|U|" };
        // The removed meter's final reading, the new meter's initial reading (J0171 F and I), read on site (J1888 P).
        if (action is "exchange-meter" or "remove-meter")
            records.AddRange([$"028|{p.Text("removedMeterId") ?? "E21Z000001"}|F|", $"030|01|{readAt}|12345.6|||T|P|"]);
        if (action is "install-meter" or "exchange-meter")
            records.AddRange([$"028|{p.Text("meterId") ?? "E21Z000002"}|I|", $"030|01|{readAt}|0.0|||T|P|"]);
        await PostFlowAsync("D0010002", "X", supplier, at, records, 1, m0.MpanCore);
    }

    // IF-035 [IMS-SendMTD]: this service is losing the point; send the current MTDs to the gaining one (B070).
    private async Task HandOverMtdsAsync(DipMessage notice)
    {
        if (_options.Faults.NoMtdHandover) return;
        var mpan = notice.Mpan;
        var gaining = notice.Payload.CustomBlock.Text("B070", "proposedMeteringServiceMPID");
        if (gaining is null) { _log.Enqueue($"IF-035 [IMS-SendMTD] for {mpan} names no gaining service"); return; }
        // Smart MTDs reach the new service from SMRS (IF-036); Traditional meters are outside this reference service.
        if (!_known.TryGetValue(mpan, out var point) || point.Segment != "A")
        {
            _log.Enqueue($"no Advanced MTDs held for {mpan}; nothing to send to {gaining}");
            return;
        }
        var at = TimeOf(notice);
        var date = MarketTime.LocalDateOf(at).ToString("uuuuMMdd", null);
        await PostFlowAsync("D0268002", "M", gaining, at,
        [
            $"01A|{mpan}|{date}|5|2|F||415|3|A||",
            "02A|OS0001|ABC||3|6|||||||||GS|||10.0.0.1|||||||",
            $"03A|{point.MeterId ?? "M0001"}|ACME CT|{date}|||200/5|3P4W|A|{date}|MAPA|",
            "04A|01|OS0001|001|1.000000|1.00|1.0000|AI|6|||",
        ], 1, mpan);
    }

    // IF-035 [MSAppAccepted] for this service at an Advanced point with an incumbent: once the losing
    // service's window has passed in market time, ask it by D0170 unless its D0268 arrived.
    private Task ChaseMissingMtdsLaterAsync(DipMessage accepted)
    {
        var mpan = accepted.Mpan;
        if (_options.Faults.NoMissingMtdRequest || accepted.Payload.CustomBlock.Text("B070", "proposedMeteringServiceDIPID") != _options.DipId
            || !_known.TryGetValue(mpan, out var point) || point.Segment != "A" || point.IncumbentMpid is not { } losing || losing == _options.Mpid)
            return Task.CompletedTask;
        var due = TimeOf(accepted) + MtdWindow;
        _held.Enqueue((due, () => RequestMissingMtdsAsync(mpan, losing, due)));
        return Task.CompletedTask;
    }

    private async Task RequestMissingMtdsAsync(string mpan, string losing, Instant due)
    {
        if (await HasMtdsFromAsync(losing, mpan))
        {
            _log.Enqueue($"MTDs for {mpan} arrived from {losing}; no D0170 needed");
            return;
        }
        var at = _marketTime > due ? _marketTime : due;
        await PostFlowAsync("D0170001", "M", losing, at,
        [
            $"350|{MarketTime.LocalDateOf(at).ToString("uuuuMMdd", null)}|06|MTDS NOT RECEIVED ON CHANGE OF METERING SERVICE|{_options.Mpid}||",
            $"351|{mpan}|",
        ], 1, mpan);
    }

    // Flows the gateway holds for this service: a D0268 from the losing service that carries the MPAN.
    private async Task<bool> HasMtdsFromAsync(string losing, string mpan)
    {
        if (_options.DtnUrl is null) return false;
        var list = await _http.GetFromJsonAsync<JsonObject>(new Uri(_options.DtnUrl, $"/dtn/flows?to={Uri.EscapeDataString(_options.Mpid)}"), _stopping.Token);
        foreach (var flow in list?["flows"] as JsonArray ?? [])
        {
            if (flow.Text("from") != losing || flow.Text("flow")?.StartsWith("D0268", StringComparison.Ordinal) != true || flow.Text("url") is not { } url) continue;
            var text = await _http.GetStringAsync(new Uri(_options.DtnUrl, url), _stopping.Token);
            if (text.Contains($"|{mpan}|", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    // One flow file to the DTN gateway: ZHV from this service (role M), the records, a ZPT with their counts.
    private async Task PostFlowAsync(string flowAndVersion, string toRole, string toMpid, Instant at, IReadOnlyList<string> records, int mpanGroups, string mpan)
    {
        if (_options.DtnUrl is null) return;
        var stamp = at.InZone(MarketTime.London).ToString("uuuuMMddHHmmss", null);
        var fileId = $"F{Interlocked.Increment(ref _files):D9}";
        var flow = $"ZHV|{fileId}|{flowAndVersion}|M|{_options.Mpid}|{toRole}|{toMpid}|{stamp}||||TR01|\n"
                   + string.Concat(records.Select(r => r + "\n")) + $"ZPT|{fileId}|{records.Count}||{mpanGroups}|{stamp}|\n";
        using var content = new StringContent(flow, System.Text.Encoding.Latin1, "text/plain");
        using var response = await _http.PostAsync(new Uri(_options.DtnUrl, "/dtn/flows"), content, _stopping.Token);
        _log.Enqueue($"sent {flowAndVersion} {fileId} for {mpan} to {toMpid}: {(int)response.StatusCode}");
    }

    private static Instant TimeOf(DipMessage m) =>
        MarketTime.ParseDip(m.Payload.CommonBlock.D0?.TransactionTimestamp)?.ToInstant() ?? SystemClock.Instance.GetCurrentInstant();
}
