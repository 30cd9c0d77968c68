using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Dip;
using Qualification.Dtn.IO;
using Qualification.Stubs.Dtn;

namespace Qualification.Stubs.Smrs;

// Switch completion (IF-001), market-segment qualification (IF-045 [InvalidMarketSegment]), the legacy
// side of forward migration (D0170 to the losing legacy meter operator) and the removal of metering
// point relationships (IF-019 Remove).
public sealed partial class SmrsEmulator
{
    private int _flowIds;

    /// <summary>
    /// The DTN gateway SMRS sends legacy flows through (forward migration reaches legacy agents only by
    /// DTN). Without one the flow is journalled as not sent.
    /// </summary>
    public DtnGateway? Dtn { get; set; }

    /// <summary>
    /// CSS completed a switch or initial registration on its effective date: SMRS tells the incoming
    /// supplier and the distributor (IF-001 [ChangeOfSupplier], or [InitialRegistration] when nobody
    /// supplied the metering point before), with the site as SMRS holds it. The interface catalogue also
    /// names the Market-wide Data Service; the harness plays none, so it gets nothing.
    /// </summary>
    public Task NotifySwitchCompletedAsync(SupplierRegistration registration)
    {
        var point = FindMeteringPoint(registration.Mpan.Value) ?? throw new InvalidOperationException($"SMRS holds no metering point {registration.Mpan}; declare it before the switch.");
        var at = MarketTime.StartOfDay(registration.EffectiveFrom);
        var outgoing = RegisteredSupplier(registration.Mpan.Value, at - Duration.FromMinutes(1));
        var changeOfSupplier = outgoing is not null && outgoing.SupplierDipId != registration.SupplierDipId;
        var current = CurrentAppointment(registration.Mpan.Value, at);
        var custom = new JsonObject
        {
            ["B013"] = new JsonObject { ["CSSRegistrationID"] = registration.CssRegistrationId },
            ["B002"] = new JsonObject
            {
                ["incomingSupplierDIPID"] = registration.SupplierDipId, ["incomingSupplierMPID"] = registration.SupplierMpid,
                ["supplierEffectiveFromDate"] = MarketTime.ToDip(at),
            },
            ["B004"] = new JsonObject { ["domesticPremiseIndicator"] = point.Domestic, ["domesticPremiseIndicatorEffectiveFromDate"] = Since(point) },
        };
        // Outgoing supplier and incumbent service providers exist only on a change of supplier (the
        // InitialRegistration schema has no B003 or B005).
        if (changeOfSupplier)
        {
            custom["B003"] = new JsonObject
            {
                ["outgoingSupplierDIPID"] = outgoing!.SupplierDipId, ["outgoingSupplierMPID"] = outgoing.SupplierMpid,
                ["supplierEffectiveToDate"] = MarketTime.ToDip(at),
            };
            custom["B005"] = new JsonObject
            {
                ["currentMeteringServiceDIPID"] = current is { Legacy: false } ? current.ServiceDipId : null,
                ["currentMeteringServiceMPID"] = current?.ServiceMpid,
                ["currentDataServiceDIPID"] = null,
                ["currentDataServiceMPID"] = null,
            };
        }
        AddSiteBlocks(custom, point);
        return Publish("IF-001", changeOfSupplier ? "[ChangeOfSupplier]" : "[InitialRegistration]", point, custom,
            [registration.SupplierDipId, point.DistributorDipId], null);
    }

    /// <summary>
    /// The metering point's market segment changes (for example a meter exchange turns a smart point
    /// into an advanced one). SMRS records it and checks the appointed metering service and any accepted
    /// appointment still to take effect against the new segment.
    /// </summary>
    public async Task ChangeMarketSegmentAsync(string mpan, MarketSegment segment)
    {
        var point = FindMeteringPoint(mpan) ?? throw new InvalidOperationException($"SMRS holds no metering point {mpan}; declare it before changing its segment.");
        point = point with { Segment = segment };
        AddMeteringPoint(point);
        var current = CurrentAppointment(mpan, Clock.GetCurrentInstant());
        List<MeteringServiceAppointment> accepted;
        lock (_gate) accepted = _appointments.Where(a => a.Mpan.Value == mpan && a.Status == AppointmentStatus.Accepted).ToList();
        foreach (var appointment in new[] { current }.Concat(accepted).OfType<MeteringServiceAppointment>())
            await CheckSegmentQualificationAsync(point, appointment);
    }

    // IF-045 [InvalidMarketSegment]: SMRS validates qualification for the segment when the appointment is
    // requested (REG1031), so a service becomes unqualified only when the segment changes afterwards:
    // at the change itself for the appointed service, and on the effective date for an appointment
    // accepted before the change. The supplier must act (appoint a qualified service); the service is
    // told too, as the interface catalogue names metering services among IF-045's receivers.
    private async Task CheckSegmentQualificationAsync(MeteringPoint point, MeteringServiceAppointment appointment)
    {
        if (appointment.Legacy) return;
        var service = _dip.Directory.Find(appointment.ServiceDipId);
        var segment = point.Segment.Code();
        if (service is null || service.Segments.Contains(segment)) return;
        var supplier = RegisteredSupplier(point.Mpan.Value, Clock.GetCurrentInstant())?.SupplierDipId ?? appointment.RequestingSupplierDipId;
        var custom = new JsonObject
        {
            ["B060"] = new JsonObject
            {
                ["additionalInformation"] = $"Metering service {appointment.ServiceMpid} is not qualified for market segment {segment}; appoint a qualified metering service",
            },
        };
        await Publish("IF-045", "[InvalidMarketSegment]", point, custom, [supplier, appointment.ServiceDipId], appointment.CorrelationId);
    }

    // Forward migration (REC deck, "Forward Migration CoA"): the losing agents are legacy and not on the
    // DIP, so SMRS asks the legacy meter operator by D0170 (action 06) to send its MTDs to the gaining
    // metering service; the gaining parties hear of it by DIP as usual.
    private void RequestMtdsFromLegacyAgent(MeteringServiceAppointment incoming, MeteringServiceAppointment legacy)
    {
        var now = Clock.GetCurrentInstant();
        var stamp = ZhvHeader.Timestamp(now.InZone(MarketTime.London).LocalDateTime.ToDateTimeUnspecified());
        var fileId = $"SMRS{Interlocked.Increment(ref _flowIds):D6}";
        using var buffer = new MemoryStream();
        using (var writer = new DtnWriter(buffer, leaveOpen: true))
        {
            writer.WriteHeader(new ZhvHeader
            {
                FileId = fileId, FlowAndVersion = "D0170001", FromRole = "P", FromMpid = HarnessParties.RegistrationServiceMpid,
                ToRole = "M", ToMpid = legacy.ServiceMpid, CreatedAt = stamp, TestDataFlag = "TR01",
            });
            writer.WriteGroup("350", [incoming.EffectiveFrom.Date.ToString("uuuuMMdd", null), "06", "FORWARD MIGRATION TO MHHS: SEND MTDS TO THE NEW METERING SERVICE", incoming.ServiceMpid, null]);
            writer.WriteGroup("351", [incoming.Mpan.Value]);
            writer.WriteTrailer(stamp);
        }
        var text = Encoding.Latin1.GetString(buffer.ToArray());
        if (Dtn is { } gateway)
        {
            gateway.Send(text);
            return;
        }
        _dip.Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Marker, Scenario = _dip.CurrentScenario(), InterfaceId = "D0170001", Mpan = incoming.Mpan.Value, To = legacy.ServiceMpid,
            Note = "SMRS: no DTN gateway, D0170 to the legacy meter operator not sent", RawBody = text,
        });
    }

    private bool HasSubsidiaries(string principal, bool importExport)
    {
        lock (_gate) return _points.Values.Any(p => (importExport ? p.LinkedImport : p.RelatedPrimary) == principal);
    }

    // IF-020 goes to the supplier of every subsidiary too: it may not be the one that asked.
    private List<string> SubsidiarySuppliers(IEnumerable<string> subsidiaries, Instant at) =>
        subsidiaries.Select(mpan => RegisteredSupplier(mpan, at)?.SupplierDipId).OfType<string>().Distinct().ToList();

    // IF-019 Remove: the subsidiaries leave the relationship; the principal's metering service,
    // auto-appointed to them, is de-appointed (IF-037) and each subsidiary's own service, ended when it
    // joined, is reinstated from today.
    private async Task OnRelationshipRemoveAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var sender = m.Payload.CommonBlock.S1.SenderDipId;
        var m1 = m.Payload.CommonBlock.M1!;
        var importExport = m.EventCode == "[LinkedImportExportRemove]";
        var subsidiaries = Subsidiaries(m);
        var now = accepted.ReceivedAt;
        var (principal, problems) = CheckPrincipal(m1.PrincipalMpan, sender, now);
        foreach (var mpan in subsidiaries)
        {
            var point = FindMeteringPoint(mpan);
            if (point is null) problems.Add($"{SmrsCodes.InvalidRelationship}: subsidiary {mpan} is unknown");
            else if ((importExport ? point.LinkedImport : point.RelatedPrimary) != m1.PrincipalMpan)
                problems.Add($"{SmrsCodes.InvalidRelationship}: {mpan} is not {(importExport ? "linked to" : "related to")} {m1.PrincipalMpan}");
        }
        var custom = new JsonObject { ["B090List"] = m.Payload.CustomBlock["B090List"]!.DeepClone() };
        if (problems.Count > 0)
        {
            await PublishRelationship(m.EventCode, m1, custom, [sender], new R0Block("R", problems));
            return;
        }
        var service = CurrentAppointment(m1.PrincipalMpan, now);
        var today = MarketTime.StartOfDay(MarketTime.LocalDateOf(now));
        foreach (var mpan in subsidiaries)
        {
            var point = FindMeteringPoint(mpan)!;
            point = importExport ? point with { LinkedImport = null } : point with { RelatedPrimary = null };
            AddMeteringPoint(point);
            var auto = CurrentAppointment(mpan, now);
            if (auto is null || service is null || auto.ServiceDipId != service.ServiceDipId) continue;
            MeteringServiceAppointment? reinstated = null;
            if (auto.Replaced is { Legacy: false } own)
                reinstated = new MeteringServiceAppointment($"APP-{Interlocked.Increment(ref _ids):D6}", point.Mpan, own.ServiceDipId, own.ServiceMpid,
                    own.RequestingSupplierDipId, own.RequestingSupplierMpid, "CSP", today.InZone(MarketTime.London).ToOffsetDateTime(), own.ContractReference, null, null)
                { Status = AppointmentStatus.Active };
            lock (_gate) { auto.Status = AppointmentStatus.Ended; auto.EndedAt = today; }
            var told = new List<string> { auto.ServiceDipId, sender, point.DistributorDipId };
            if (reinstated is not null)
            {
                AddAppointment(reinstated);
                told.Add(reinstated.ServiceDipId);
            }
            await DeAppointAsync(point, auto, importExport ? "IMPEXP" : "RELATED", told, reinstated);
        }
        var recipients = new List<string> { sender, principal!.DistributorDipId };
        recipients.AddRange(SubsidiarySuppliers(subsidiaries, now));
        if (service is not null) recipients.Add(service.ServiceDipId);
        await PublishRelationship(m.EventCode, m1, custom, recipients, new R0Block("A", []));
    }
}
