using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Qualification.Domain.Dip;

namespace Qualification.ReferenceParticipants;

// A rejected metering service appointment, from both sides (REC Schedule 14 steps 22.6.1 and 22.6.3):
// a metering service that declines appointments to a metering point answers IF-033 with a rejection,
// and a supplier whose proposal is rejected (IF-032 R for a reason about the service, or IF-035
// [MSAppRejected]) proposes its fallback metering service in its place.
public sealed partial class ReferenceParticipant
{
    // SMRS rejections about the proposed service, which another service can cure (REG1031 not
    // qualified for the segment, REG1090 unknown DIP id, REG1091 MPID mismatch).
    private static readonly string[] ServiceRejectionCodes = ["REG1031", "REG1090", "REG1091"];

    // Metering points this metering service declines appointments to, with the reason it gives (B007).
    private readonly ConcurrentDictionary<string, string> _declined = new(StringComparer.Ordinal);

    /// <summary>The rejection reason a metering service gives when it declines (SP001: no contract in place).</summary>
    public const string DefaultDeclineReason = "SP001 - Proposed Appointment REJECTED: no contract in place with the supplier";

    // Driver action decline-appointments: from now on, IF-033 for this MPAN is answered with a rejection.
    private void DeclineAppointments(string mpan, string? reason)
    {
        _declined[mpan] = string.IsNullOrWhiteSpace(reason) ? DefaultDeclineReason : reason;
        _log.Enqueue($"declining appointments to {mpan}");
    }

    private bool Declines(DipMessage request) => _declined.ContainsKey(request.Mpan);

    // IF-033 → IF-034 R with the reason; SMRS then tells the supplier (IF-035 [MSAppRejected]).
    private async Task DeclineAppointmentAsync(DipMessage request)
    {
        var custom = new JsonObject
        {
            ["B007"] = new JsonObject { ["responseCode"] = "R", ["proposedAppointmentResponseCode"] = _declined[request.Mpan] },
            ["B012"] = request.Payload.CustomBlock["B012"]!.DeepClone(),
            ["B070"] = request.Payload.CustomBlock["B070"]!.DeepClone(),
        };
        if (request.Payload.CustomBlock["B013"] is { } b013) custom["B013"] = b013.DeepClone();
        await SendAsync("IF-034", "[MSAppSPResponse]", request.Payload.CommonBlock.M0!, custom, request.Payload.CommonBlock.S1.SenderCorrelationId);
    }

    // IF-032 R naming only service problems, or IF-035 [MSAppRejected]: propose the fallback service with
    // the same effective date and scenario. A change or update of the current service (CSP, USP) and
    // a current supplier's migration (MCA) leave a service standing, so nothing is re-proposed then.
    private bool IsRejectedProposal(DipMessage m)
    {
        if (m.Payload.CustomBlock.Text("B070", "appointmentScenario") is "CSP" or "USP" or "MCA") return false;
        if (m.InterfaceId == "IF-035") return m.EventCode == "[MSAppRejected]";
        var r0 = m.Payload.CommonBlock.R0;
        return m.InterfaceId == "IF-032" && r0?.ResponseCode == "R" && r0.ResponseMessages.Count > 0 && r0.ResponseMessages.All(t => ServiceRejectionCodes.Any(c => t.StartsWith(c, StringComparison.Ordinal)));
    }

    private async Task ProposeFallbackServiceAsync(DipMessage rejection)
    {
        if (_options.Faults.IgnoreRejections) return;
        var rejected = rejection.Payload.CustomBlock["B070"]?.AsObject();
        var fallback = _options.FallbackMeteringServiceDipId;
        if (rejected is null || fallback is null || rejected.Text("proposedMeteringServiceDIPID") == fallback)
        {
            _log.Enqueue($"{rejection.InterfaceId} {rejection.EventCode} for {rejection.Mpan}: no other metering service to propose");
            return;
        }
        var b070 = rejected.DeepClone().AsObject();
        b070["proposedMeteringServiceDIPID"] = fallback;
        b070["proposedMeteringServiceMPID"] = _options.FallbackMeteringServiceMpid;
        b070["contractReferenceMeteringService"] = "MS-CONTRACT-002";
        var custom = new JsonObject { ["B070"] = b070 };
        if (rejection.Payload.CustomBlock["B013"] is { } b013) custom["B013"] = b013.DeepClone();
        _log.Enqueue($"{rejection.InterfaceId} {rejection.EventCode} for {rejection.Mpan}: proposing {fallback} instead");
        await SendAsync("IF-031", "[MSApp]", rejection.Payload.CommonBlock.M0!, custom, null);
    }
}
