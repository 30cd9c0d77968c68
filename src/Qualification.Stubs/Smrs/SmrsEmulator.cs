using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Dip;

namespace Qualification.Stubs.Smrs;

/// <summary>
/// The emulated Registration Service (SMRS). It holds metering points, supplier registrations and
/// metering-service appointments, validates appointment requests (IF-031) as BSCP706 requires,
/// asks the proposed service (IF-033), records its answer (IF-034), notifies the outcome (IF-032,
/// IF-035) and confirms the appointment on its effective date (IF-036). It reacts to messages the
/// emulated DIP accepted and publishes through it.
/// </summary>
public sealed partial class SmrsEmulator
{
    private readonly object _gate = new();
    private readonly DipEmulator _dip;
    private readonly Dictionary<string, MeteringPoint> _points = new(StringComparer.Ordinal);
    private readonly List<SupplierRegistration> _registrations = [];
    private readonly List<MeteringServiceAppointment> _appointments = [];
    private int _ids;

    private readonly WorkingDayCalendar _calendar;

    /// <summary>Creates the SMRS and subscribes it to the DIP.</summary>
    public SmrsEmulator(DipEmulator dip, WorkingDayCalendar? calendar = null)
    {
        _dip = dip;
        _calendar = calendar ?? WorkingDayCalendar.Default;
        _dip.Accepted += OnAcceptedAsync;
    }

    private MarketClock Clock => _dip.Clock;

    /// <summary>Forgets all state (a new scenario starts from its own Given steps).</summary>
    public void Reset()
    {
        lock (_gate) { _points.Clear(); _registrations.Clear(); _appointments.Clear(); }
    }

    /// <summary>Adds or replaces a metering point.</summary>
    public void AddMeteringPoint(MeteringPoint point)
    {
        lock (_gate) _points[point.Mpan.Value] = point;
    }

    /// <summary>The metering point, if SMRS holds it.</summary>
    public MeteringPoint? FindMeteringPoint(string mpan)
    {
        lock (_gate) return _points.GetValueOrDefault(mpan);
    }

    /// <summary>Records a supplier registration (current or pending).</summary>
    public void AddRegistration(SupplierRegistration registration)
    {
        lock (_gate) _registrations.Add(registration);
    }

    /// <summary>Records an appointment that already exists (the incumbent service).</summary>
    public void AddAppointment(MeteringServiceAppointment appointment)
    {
        lock (_gate) _appointments.Add(appointment);
    }

    /// <summary>Appointments of an MPAN, newest last.</summary>
    public IReadOnlyList<MeteringServiceAppointment> Appointments(string mpan)
    {
        lock (_gate) return _appointments.Where(a => a.Mpan.Value == mpan).ToList();
    }

    /// <summary>Every registration SMRS holds.</summary>
    public IReadOnlyList<SupplierRegistration> AllRegistrations()
    {
        lock (_gate) return _registrations.ToList();
    }

    /// <summary>Registrations of an MPAN, newest last.</summary>
    public IReadOnlyList<SupplierRegistration> Registrations(string mpan)
    {
        lock (_gate) return _registrations.Where(r => r.Mpan.Value == mpan).ToList();
    }

    /// <summary>
    /// CSS told SMRS that a switch (or initial registration) is pending: send IF-002 [GainMPANInfo]
    /// to the gaining supplier so it can appoint its agents.
    /// </summary>
    public Task NotifyPendingRegistrationAsync(SupplierRegistration registration)
    {
        var point = FindMeteringPoint(registration.Mpan.Value) ?? throw new InvalidOperationException($"SMRS holds no metering point {registration.Mpan}; declare it before the switch.");
        var incumbent = CurrentAppointment(registration.Mpan.Value, Clock.GetCurrentInstant());
        var custom = new JsonObject
        {
            ["B013"] = new JsonObject { ["CSSRegistrationID"] = registration.CssRegistrationId },
            ["B005"] = new JsonObject
            {
                ["currentMeteringServiceDIPID"] = incumbent is { Legacy: false } ? incumbent.ServiceDipId : null,
                ["currentMeteringServiceMPID"] = incumbent?.ServiceMpid,
                ["currentDataServiceDIPID"] = null,
                ["currentDataServiceMPID"] = null,
            },
        };
        AddSiteBlocks(custom, point);
        return Publish("IF-002", "[GainMPANInfo]", point, custom, [registration.SupplierDipId], null);
    }

    private MeteringServiceAppointment? CurrentAppointment(string mpan, Instant at)
    {
        lock (_gate)
            return _appointments.Where(a => a.Mpan.Value == mpan && a.Status == AppointmentStatus.Active && a.EffectiveFrom.ToInstant() <= at)
                .OrderBy(a => a.EffectiveFrom.ToInstant()).LastOrDefault();
    }

    private async Task OnAcceptedAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        switch (m.InterfaceId, m.EventCode)
        {
            case ("IF-031", "[MSApp]"): await OnAppointmentRequestAsync(accepted); break;
            case ("IF-034", "[MSAppSPResponse]"): await OnServiceResponseAsync(accepted); break;
            case ("IF-005", _): await OnMeterTechnicalDetailsAsync(accepted); break;
            case ("IF-007", "[EnergisationStatusChange]"): await OnEnergisationChangeAsync(accepted); break;
            case ("IF-019", "[LinkedImportExportCreate]" or "[RelatedCreate]" or "[LinkedImportExportAdd]" or "[RelatedAdd]"): await OnRelationshipAsync(accepted); break;
            case ("IF-019", "[LinkedImportExportRemove]" or "[RelatedRemove]"): await OnRelationshipRemoveAsync(accepted); break;
        }
    }

    // BSCP706 validation of a metering-service appointment request (REC Schedule 14 step 22.6.2).
    private async Task OnAppointmentRequestAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var b070 = m.Payload.CustomBlock["B070"]!.AsObject();
        var supplier = m.Payload.CommonBlock.S1.SenderDipId;
        var now = accepted.ReceivedAt;
        var problems = new List<string>();
        var point = FindMeteringPoint(m.Mpan);
        SupplierRegistration? registration = null;
        var efdText = b070.Text("proposedMeteringServiceDIPEffectiveFromDate");
        var efd = MarketTime.ParseDip(efdText);
        var scenario = b070.Text("appointmentScenario") ?? "";
        var serviceDipId = b070.Text("proposedMeteringServiceDIPID") ?? "";
        var serviceMpid = b070.Text("proposedMeteringServiceMPID") ?? "";
        if (point is null) problems.Add(SmrsCodes.UnknownMpan);
        else
        {
            lock (_gate)
                registration = _registrations.LastOrDefault(r => r.Mpan.Value == m.Mpan && r.SupplierDipId == supplier && r.Status != RegistrationStatus.Withdrawn);
            var isGaining = registration is { Status: RegistrationStatus.Pending or RegistrationStatus.SecuredActive };
            if (registration is null) problems.Add(SmrsCodes.NotCurrentSupplier);
            else if (scenario is "CSP" or "USP" && isGaining) problems.Add(SmrsCodes.CurrentSupplierOnly);
            // Forward migration: MCA by the current supplier, MCS by a gaining one, only on unmigrated points.
            var migration = scenario is "MCA" or "MCS";
            if (migration && point.Migrated) problems.Add(SmrsCodes.AlreadyMigrated);
            if (!migration && !point.Migrated) problems.Add(SmrsCodes.NotMigrated);
            if (scenario == "MCA" && (registration is null || isGaining)) problems.Add(SmrsCodes.McaCurrentSupplierOnly);
            if (scenario == "MCS" && registration is not null && !isGaining) problems.Add(SmrsCodes.McsNotCurrentSupplier);
            if (point.LinkedImport is not null) problems.Add(SmrsCodes.LinkedExport);
            if (point.RelatedPrimary is not null) problems.Add(SmrsCodes.RelatedSecondary);
            var current = CurrentAppointment(m.Mpan, now);
            if (scenario == "USP" && current?.ServiceDipId != serviceDipId) problems.Add(SmrsCodes.UspMustNameCurrent);
            if (scenario == "CSP" && current is not null && current.ServiceDipId == serviceDipId) problems.Add(SmrsCodes.CspMustNotNameCurrent);

            if (efd is null) problems.Add(SmrsCodes.NotLocalMidnight);
            else
            {
                var efdInstant = efd.Value.ToInstant();
                if (!MarketTime.IsLocalMidnight(efd.Value)) problems.Add(SmrsCodes.NotLocalMidnight);
                var latest = MarketTime.StartOfDay(MarketTime.LocalDateOf(now).PlusDays(SmrsCodes.MaxDaysAhead));
                if (efdInstant > latest) problems.Add(SmrsCodes.TooFarAhead);
                if (isGaining && efdInstant < MarketTime.StartOfDay(MarketTime.LocalDateOf(now))) problems.Add(SmrsCodes.GainingSupplierInPast);
                if (registration is not null && MarketTime.LocalDateOf(efdInstant) < registration.EffectiveFrom) problems.Add(SmrsCodes.BeforeSupplierStart);
            }

            var service = _dip.Directory.Find(serviceDipId);
            if (service is null || !DipRole.IsMeteringService(service.Role)) problems.Add(SmrsCodes.UnknownServiceDipId);
            else
            {
                if (!string.Equals(service.Mpid, serviceMpid, StringComparison.Ordinal)) problems.Add(SmrsCodes.MpidMismatch);
                if (!service.Segments.Contains(point.Segment.Code())) problems.Add(SmrsCodes.NotQualifiedForSegment);
            }
        }

        var correlation = m.Payload.CommonBlock.S1.SenderCorrelationId;
        var initial = new JsonObject { ["B070"] = b070.DeepClone() };
        if (m.Payload.CustomBlock["B013"] is { } b013) initial["B013"] = b013.DeepClone();
        var m0 = m.Payload.CommonBlock.M0!;
        if (problems.Count > 0)
        {
            // 22.6.3: tell the supplier the proposed appointment was rejected.
            await Publish("IF-032", "[MSAppInitialResp]", m0, initial, [supplier], correlation, new R0Block("R", problems.Distinct().ToList()));
            return;
        }

        var supplierMpid = _dip.Directory.Find(supplier)?.Mpid ?? registration!.SupplierMpid;
        var appointment = new MeteringServiceAppointment($"APP-{Interlocked.Increment(ref _ids):D6}", MpanCore.Parse(m.Mpan), serviceDipId, serviceMpid,
            supplier, supplierMpid, scenario, efd!.Value, b070.Text("contractReferenceMeteringService"), registration?.CssRegistrationId, correlation);
        AddAppointment(appointment);
        await Publish("IF-032", "[MSAppInitialResp]", m0, initial, [supplier], correlation, new R0Block("A", []));

        var request = new JsonObject
        {
            ["B012"] = SupplierBlock(appointment),
            ["B070"] = b070.DeepClone(),
        };
        if (registration is not null) request["B013"] = new JsonObject { ["CSSRegistrationID"] = registration.CssRegistrationId };
        // B072 names the incumbent on the DIP, so the proposed service knows whom to ask for missing MTDs (D0170).
        if (CurrentAppointment(m.Mpan, now) is { Legacy: false } incumbentService && incumbentService.ServiceDipId != serviceDipId)
            request["B072"] = new JsonObject { ["incumbentMeteringServiceDIPID"] = incumbentService.ServiceDipId, ["incumbentMeteringServiceMPID"] = incumbentService.ServiceMpid };
        AddSiteBlocks(request, point!);
        await Publish("IF-033", "[MSAppSPRequest]", point!, request, [serviceDipId], correlation);
    }

    private async Task OnServiceResponseAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var service = m.Payload.CommonBlock.S1.SenderDipId;
        var b007 = m.Payload.CustomBlock["B007"]!.AsObject();
        MeteringServiceAppointment? appointment;
        lock (_gate)
            appointment = _appointments.LastOrDefault(a => a.Mpan.Value == m.Mpan && a.ServiceDipId == service && a.Status == AppointmentStatus.AwaitingServiceResponse);
        if (appointment is null)
        {
            _dip.Journal.Append(new JournalRecord
            {
                Kind = JournalKind.Marker, Scenario = _dip.CurrentScenario(), InterfaceId = "IF-034", Mpan = m.Mpan, From = service,
                Note = "SMRS: IF-034 matches no appointment awaiting this service's response; ignored",
            });
            return;
        }
        var accepting = b007.Text("responseCode") == "A";
        appointment.Status = accepting ? AppointmentStatus.Accepted : AppointmentStatus.Rejected;
        var outcome = new JsonObject
        {
            ["B007"] = b007.DeepClone(),
            ["B012"] = SupplierBlock(appointment),
            ["B070"] = B070(appointment),
        };
        var m0 = m.Payload.CommonBlock.M0!;
        var due = appointment.EffectiveFrom.ToInstant();
        var prospective = accepting && due > Clock.GetCurrentInstant();
        if (prospective)
        {
            // Scheduled before anyone hears of the acceptance, so no later clock move can overtake it.
            // Prospective: re-validated after gate closure the evening before the effective date
            // (the supplier must still be registered or securely switching), then activated on the date.
            var revalidation = MarketTime.LocalDateOf(due).PlusDays(-1).At(RevalidationTime).InZoneLeniently(MarketTime.London).ToInstant();
            if (revalidation > Clock.GetCurrentInstant())
                Clock.Schedule(revalidation, $"SMRS: re-validate {appointment.Id} after gate closure", () => RevalidateAsync(appointment).GetAwaiter().GetResult());
            Clock.Schedule(due, $"SMRS: activate {appointment.Id} for {appointment.Mpan}", () => ActivateAsync(appointment).GetAwaiter().GetResult());
        }
        await Publish("IF-035", accepting ? "[MSAppAccepted]" : "[MSAppRejected]", m0, outcome, [appointment.RequestingSupplierDipId, appointment.ServiceDipId], appointment.CorrelationId);
        if (accepting)
        {
            // The incumbent metering service is told to send its MTDs to the new one (IF-035 [IMS-SendMTD]).
            var incumbent = CurrentAppointment(appointment.Mpan.Value, Clock.GetCurrentInstant());
            if (incumbent is { Legacy: true }) RequestMtdsFromLegacyAgent(appointment, incumbent);
            else if (incumbent is not null && incumbent.ServiceDipId != appointment.ServiceDipId)
                await Publish("IF-035", "[IMS-SendMTD]", m0, new JsonObject
                {
                    ["B007"] = b007.DeepClone(),
                    ["B012"] = SupplierBlock(appointment),
                    ["B070"] = B070(appointment),
                }, [incumbent.ServiceDipId], appointment.CorrelationId);
            if (!prospective) await ActivateAsync(appointment);
        }
    }

    /// <summary>When prospective appointments are re-validated on the evening before their date (after CSS gate closure).</summary>
    public LocalTime RevalidationTime { get; init; } = new(17, 30);

    private async Task RevalidateAsync(MeteringServiceAppointment appointment)
    {
        if (appointment.Status != AppointmentStatus.Accepted) return;
        SupplierRegistration? registration;
        lock (_gate)
            registration = _registrations.LastOrDefault(r => r.Mpan == appointment.Mpan && r.SupplierDipId == appointment.RequestingSupplierDipId);
        if (registration is { Status: RegistrationStatus.Active or RegistrationStatus.SecuredActive }) return;
        await LapseAsync(appointment, "Appointment lapsed at re-validation after gate closure: the requesting supplier has no secured registration");
    }

    private async Task LapseAsync(MeteringServiceAppointment appointment, string reason)
    {
        var point = FindMeteringPoint(appointment.Mpan.Value);
        if (point is null) return;
        appointment.Status = AppointmentStatus.Lapsed;
        var lapsed = new JsonObject
        {
            ["B007"] = new JsonObject { ["responseCode"] = "L", ["proposedAppointmentResponseCode"] = reason },
            ["B012"] = SupplierBlock(appointment),
            ["B070"] = B070(appointment),
        };
        await Publish("IF-035", "[MSAppLapsed]", point, lapsed, [appointment.RequestingSupplierDipId, appointment.ServiceDipId], appointment.CorrelationId);
    }

    // On the effective date the appointment becomes active if the supplier's registration stands;
    // a prospective appointment with no secured switch behind it lapses.
    private async Task ActivateAsync(MeteringServiceAppointment appointment)
    {
        var point = FindMeteringPoint(appointment.Mpan.Value);
        if (point is null || appointment.Status != AppointmentStatus.Accepted) return;
        SupplierRegistration? registration;
        lock (_gate)
            registration = _registrations.LastOrDefault(r => r.Mpan == appointment.Mpan && r.SupplierDipId == appointment.RequestingSupplierDipId);
        if (registration is null || registration.Status is RegistrationStatus.Withdrawn or RegistrationStatus.Pending)
        {
            await LapseAsync(appointment, "Appointment lapsed: no secured registration for the requesting supplier");
            return;
        }
        List<MeteringServiceAppointment> replaced;
        lock (_gate)
        {
            replaced = _appointments.Where(a => a.Mpan == appointment.Mpan && a.Status == AppointmentStatus.Active).ToList();
            foreach (var previous in replaced)
            {
                previous.Status = AppointmentStatus.Ended;
                previous.EndedAt = appointment.EffectiveFrom.ToInstant();
            }
            appointment.Status = AppointmentStatus.Active;
            if (appointment.Scenario is "MCA" or "MCS") _points[point.Mpan.Value] = point = point with { Migrated = true };
        }
        // A legacy agent is not on the DIP: it was asked for its MTDs by D0170 when the migration was accepted.
        foreach (var previous in replaced.Where(p => p.ServiceDipId != appointment.ServiceDipId && !p.Legacy))
            await DeAppointAsync(point, previous, appointment.RequestingSupplierDipId != previous.RequestingSupplierDipId ? "CSUPP" : "CSERV",
                [previous.ServiceDipId, appointment.RequestingSupplierDipId, point.DistributorDipId], appointment);
        var active = new JsonObject
        {
            ["B012"] = SupplierBlock(appointment),
            ["B014"] = new JsonObject
            {
                ["incomingMeteringServiceDIPID"] = appointment.ServiceDipId,
                ["incomingMeteringServiceEffectiveFromDate"] = MarketTime.ToDip(appointment.EffectiveFrom.ToInstant()),
                ["incomingMeteringServiceMPID"] = appointment.ServiceMpid,
                ["contractReferenceMeteringService"] = appointment.ContractReference,
                ["appointmentScenario"] = appointment.Scenario,
            },
            ["B028"] = new JsonObject
            {
                ["domesticPremiseIndicator"] = point.Domestic,
                ["domesticPremiseIndicatorEffectiveFromDate"] = Since(point),
            },
        };
        AddSiteBlocks(active, point);
        await Publish("IF-036", "[MSAppActive]", point, active, [appointment.RequestingSupplierDipId, appointment.ServiceDipId, point.DistributorDipId], appointment.CorrelationId);
        await CheckSegmentQualificationAsync(point, appointment);
    }

    /// <summary>The metering service appointed to an MPAN at an instant, if any.</summary>
    public MeteringServiceAppointment? AppointedMeteringService(string mpan, Instant at) => CurrentAppointment(mpan, at);

    /// <summary>The supplier registered to an MPAN at an instant, if any.</summary>
    public SupplierRegistration? RegisteredSupplier(string mpan, Instant at)
    {
        var date = MarketTime.LocalDateOf(at);
        lock (_gate)
            return _registrations.Where(r => r.Mpan.Value == mpan && r.Status is RegistrationStatus.Active or RegistrationStatus.SecuredActive && r.EffectiveFrom <= date)
                .OrderBy(r => r.EffectiveFrom).LastOrDefault();
    }

    // IF-005: only the appointed metering service may update MTDs (REG1012); the previous one may
    // correct within 10 working days of its appointment's end (REG0008/REG1003). Accepted updates
    // are published to interested parties as IF-006; a rejection goes back to the sender.
    private async Task OnMeterTechnicalDetailsAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var sender = m.Payload.CommonBlock.S1.SenderDipId;
        var point = FindMeteringPoint(m.Mpan);
        var problems = new List<string>();
        var appointed = CurrentAppointment(m.Mpan, accepted.ReceivedAt);
        if (point is null) problems.Add(SmrsCodes.UnknownMpan);
        else if (appointed?.ServiceDipId != sender && !MayCorrectAsPreviousService(m.Mpan, sender, accepted.ReceivedAt)) problems.Add(SmrsCodes.NotAppointedService);
        var custom = new JsonObject { ["B906"] = m.Payload.CustomBlock["B906"]?.DeepClone() };
        if (m.Payload.CustomBlock["B039"] is { } b039 && m.EventCode is "[MeterExchange]" or "[MeterRemoval]") custom["B039"] = b039.DeepClone();
        var m0 = m.Payload.CommonBlock.M0!;
        if (problems.Count > 0)
        {
            await Publish("IF-006", m.EventCode, m0, custom, [sender], m.Payload.CommonBlock.S1.SenderCorrelationId, new R0Block("R", problems));
            return;
        }
        var supplier = RegisteredSupplier(m.Mpan, accepted.ReceivedAt);
        var recipients = new List<string> { sender, point!.DistributorDipId };
        if (supplier is not null) recipients.Insert(0, supplier.SupplierDipId);
        await Publish("IF-006", m.EventCode, m0, custom, recipients, m.Payload.CommonBlock.S1.SenderCorrelationId, new R0Block("A", []));
    }

    private bool MayCorrectAsPreviousService(string mpan, string sender, Instant at)
    {
        lock (_gate)
        {
            var ended = _appointments.Where(a => a.Mpan.Value == mpan && a.ServiceDipId == sender && a.Status == AppointmentStatus.Ended && a.EndedAt is not null)
                .OrderBy(a => a.EndedAt).LastOrDefault();
            return ended is not null && at < _calendar.WorkingDayDeadline(ended.EndedAt!.Value, SmrsCodes.PreviousServiceCorrectionWorkingDays);
        }
    }

    // IF-007 → IF-008 to the parties of the metering point; SMRS records the new status.
    private async Task OnEnergisationChangeAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var sender = m.Payload.CommonBlock.S1.SenderDipId;
        var point = FindMeteringPoint(m.Mpan);
        var appointed = CurrentAppointment(m.Mpan, accepted.ReceivedAt);
        var b025 = m.Payload.CustomBlock["B025"]!.DeepClone();
        var m0 = m.Payload.CommonBlock.M0!;
        if (point is null || appointed?.ServiceDipId != sender)
        {
            await Publish("IF-008", "[EnergisationStatusChange]", m0, new JsonObject { ["B025"] = b025 }, [sender], null,
                new R0Block("R", [point is null ? SmrsCodes.UnknownMpan : SmrsCodes.NotAppointedService]));
            return;
        }
        AddMeteringPoint(point with { Energisation = b025.Text("energisationStatus") ?? point.Energisation });
        var supplier = RegisteredSupplier(m.Mpan, accepted.ReceivedAt);
        var recipients = new List<string> { sender, point.DistributorDipId };
        if (supplier is not null) recipients.Insert(0, supplier.SupplierDipId);
        await Publish("IF-008", "[EnergisationStatusChange]", m0, new JsonObject { ["B025"] = b025 }, recipients, null, new R0Block("A", []));
    }

    /// <summary>
    /// From a supplier's registration effective date, remind it (IF-045 [NoMSAppointed]) every
    /// <see cref="SmrsCodes.ReminderIntervalDays"/> days for as long as no metering service is appointed.
    /// </summary>
    public void ScheduleMissingAppointmentReminders(SupplierRegistration registration)
    {
        var first = MarketTime.StartOfDay(registration.EffectiveFrom);
        ScheduleReminder(registration, first);
    }

    private void ScheduleReminder(SupplierRegistration registration, Instant due)
    {
        Clock.Schedule(due, $"SMRS: missing-appointment check for {registration.Mpan} ({registration.SupplierMpid})", () =>
        {
            if (registration.Status is RegistrationStatus.Withdrawn) return;
            var appointed = CurrentAppointment(registration.Mpan.Value, due);
            bool pending;
            lock (_gate)
                pending = _appointments.Any(a => a.Mpan == registration.Mpan && a.RequestingSupplierDipId == registration.SupplierDipId && a.Status is AppointmentStatus.Accepted or AppointmentStatus.AwaitingServiceResponse);
            if (appointed is not null && appointed.RequestingSupplierDipId == registration.SupplierDipId) return;
            if (!pending)
            {
                var point = FindMeteringPoint(registration.Mpan.Value);
                if (point is null) return;
                var custom = new JsonObject { ["B060"] = new JsonObject { ["additionalInformation"] = $"No metering service appointed from {registration.EffectiveFrom:uuuu-MM-dd}" } };
                Publish("IF-045", "[NoMSAppointed]", point, custom, [registration.SupplierDipId], null).GetAwaiter().GetResult();
            }
            ScheduleReminder(registration, due + Duration.FromDays(SmrsCodes.ReminderIntervalDays));
        });
    }

    // IF-037 [MSDeApp]: the replaced service stops from the new one's effective date.
    private Task DeAppointAsync(MeteringPoint point, MeteringServiceAppointment previous, string reason, IReadOnlyList<string> recipients, MeteringServiceAppointment? incoming)
    {
        var custom = new JsonObject
        {
            ["B008"] = new JsonObject
            {
                ["deAppointedMeteringServiceDIPID"] = previous.ServiceDipId,
                ["deAppointedMeteringServiceMPID"] = previous.ServiceMpid,
                ["meteringServiceEffectiveFromDate"] = MarketTime.ToDip(previous.EffectiveFrom.ToInstant()),
                ["meteringServiceEffectiveToDate"] = MarketTime.ToDip(previous.EndedAt ?? Clock.GetCurrentInstant()),
                ["deAppointmentReasonCode"] = reason,
            },
        };
        if (incoming is not null)
            custom["B010"] = new JsonObject
            {
                ["incomingMeteringServiceDIPID"] = incoming.ServiceDipId,
                ["incomingMeteringServiceMPID"] = incoming.ServiceMpid,
                ["incomingMeteringServiceEffectiveFromDate"] = MarketTime.ToDip(incoming.EffectiveFrom.ToInstant()),
            };
        return Publish("IF-037", "[MSDeApp]", point, custom, recipients, incoming?.CorrelationId);
    }

    // IF-019: the principal's supplier links an export to its import, or related secondaries to a
    // primary. SMRS records the link, confirms it (IF-020) and auto-appoints the principal's
    // metering service to each subsidiary, de-appointing the subsidiary's own (IF-037, IMPEXP/RELATED).
    private static List<string> Subsidiaries(DipMessage m) =>
        (m.Payload.CustomBlock["B090List"] as JsonArray ?? []).Select(b => b.Text("subsidiaryMPAN") ?? "").ToList();

    // Every relationship event needs a known principal supplied by the sender.
    private (MeteringPoint? Principal, List<string> Problems) CheckPrincipal(string principalMpan, string sender, Instant now)
    {
        var problems = new List<string>();
        var principal = FindMeteringPoint(principalMpan);
        if (principal is null) problems.Add($"{SmrsCodes.InvalidRelationship}: principal {principalMpan} is unknown");
        else if (RegisteredSupplier(principalMpan, now)?.SupplierDipId != sender) problems.Add($"{SmrsCodes.InvalidRelationship}: the sender is not the supplier of {principalMpan}");
        return (principal, problems);
    }

    private async Task OnRelationshipAsync(AcceptedMessage accepted)
    {
        var m = accepted.Message;
        var sender = m.Payload.CommonBlock.S1.SenderDipId;
        var m1 = m.Payload.CommonBlock.M1!;
        var importExport = m.EventCode.StartsWith("[LinkedImportExport", StringComparison.Ordinal);
        var adding = m.EventCode is "[LinkedImportExportAdd]" or "[RelatedAdd]";
        var subsidiaries = Subsidiaries(m);
        var now = accepted.ReceivedAt;
        var (principal, problems) = CheckPrincipal(m1.PrincipalMpan, sender, now);
        foreach (var mpan in subsidiaries)
        {
            var point = FindMeteringPoint(mpan);
            if (point is null) problems.Add($"{SmrsCodes.InvalidRelationship}: subsidiary {mpan} is unknown");
            else if (point.LinkedImport is not null || point.RelatedPrimary is not null) problems.Add($"{SmrsCodes.InvalidRelationship}: {mpan} is already linked");
            else if (mpan == m1.PrincipalMpan) problems.Add($"{SmrsCodes.InvalidRelationship}: {mpan} cannot be its own subsidiary");
        }
        // Add extends an existing relationship; Create starts one.
        if (adding && principal is not null && !HasSubsidiaries(m1.PrincipalMpan, importExport)) problems.Add($"{SmrsCodes.InvalidRelationship}: {m1.PrincipalMpan} has no relationship to add to; create it first");
        var custom = new JsonObject { ["B090List"] = m.Payload.CustomBlock["B090List"]!.DeepClone() };
        if (problems.Count > 0)
        {
            await PublishRelationship(m.EventCode, m1, custom, [sender], new R0Block("R", problems));
            return;
        }
        var service = CurrentAppointment(m1.PrincipalMpan, now);
        foreach (var mpan in subsidiaries)
        {
            var point = FindMeteringPoint(mpan)!;
            AddMeteringPoint(importExport ? point with { LinkedImport = m1.PrincipalMpan } : point with { RelatedPrimary = m1.PrincipalMpan });
            if (service is null) continue;
            var own = CurrentAppointment(mpan, now);
            if (own?.ServiceDipId == service.ServiceDipId) continue;
            var auto = new MeteringServiceAppointment($"APP-{Interlocked.Increment(ref _ids):D6}", point.Mpan, service.ServiceDipId, service.ServiceMpid, sender,
                service.RequestingSupplierMpid, "CSP", MarketTime.StartOfDay(MarketTime.LocalDateOf(now)).InZone(MarketTime.London).ToOffsetDateTime(), service.ContractReference, null, null)
            { Status = AppointmentStatus.Active, Replaced = own };
            if (own is not null)
            {
                lock (_gate) { own.Status = AppointmentStatus.Ended; own.EndedAt = auto.EffectiveFrom.ToInstant(); }
                await DeAppointAsync(point, own, importExport ? "IMPEXP" : "RELATED", [own.ServiceDipId, sender, point.DistributorDipId], auto);
            }
            AddAppointment(auto);
        }
        var recipients = new List<string> { sender, principal!.DistributorDipId };
        recipients.AddRange(SubsidiarySuppliers(subsidiaries, now));
        if (service is not null) recipients.Add(service.ServiceDipId);
        await PublishRelationship(m.EventCode, m1, custom, recipients, new R0Block("A", []));
    }

    private Task PublishRelationship(string evt, M1Block m1, JsonObject custom, IReadOnlyList<string> recipients, R0Block r0)
    {
        var payload = DipMessageFactory.Payload("IF-020", evt, HarnessParties.RegistrationServiceDipId, DipRole.RegistrationService, null, Clock.GetCurrentInstant(), custom);
        payload = payload with { CommonBlock = payload.CommonBlock with { M1 = m1, R0 = r0 } };
        return _dip.PublishAsync(payload, recipients);
    }

    /// <summary>
    /// Reverse migration on the effective date of a switch to a supplier that is not MHHS-qualified:
    /// the MHHS metering service is de-appointed (IF-003 [MSDeAppRM]) and the parties are told the
    /// MHHS regime ends (IF-003 [ReverseMigNotification]).
    /// </summary>
    public async Task ReverseMigrateAsync(SupplierRegistration registration)
    {
        var point = FindMeteringPoint(registration.Mpan.Value) ?? throw new InvalidOperationException($"SMRS holds no metering point {registration.Mpan}.");
        var at = MarketTime.StartOfDay(registration.EffectiveFrom);
        var current = CurrentAppointment(registration.Mpan.Value, at);
        var b002 = new JsonObject
        {
            ["incomingSupplierDIPID"] = registration.SupplierDipId, ["incomingSupplierMPID"] = registration.SupplierMpid,
            ["supplierEffectiveFromDate"] = MarketTime.ToDip(at),
        };
        var b013 = new JsonObject { ["CSSRegistrationID"] = registration.CssRegistrationId };
        if (current is not null)
        {
            lock (_gate) { current.Status = AppointmentStatus.Ended; current.EndedAt = at; }
            await Publish("IF-003", "[MSDeAppRM]", point, new JsonObject
            {
                ["B013"] = b013.DeepClone(),
                ["B008"] = new JsonObject
                {
                    ["deAppointedMeteringServiceDIPID"] = current.ServiceDipId, ["deAppointedMeteringServiceMPID"] = current.ServiceMpid,
                    ["meteringServiceEffectiveFromDate"] = MarketTime.ToDip(current.EffectiveFrom.ToInstant()), ["meteringServiceEffectiveToDate"] = MarketTime.ToDip(at),
                    ["deAppointmentReasonCode"] = "CSUPP",
                },
                ["B002"] = b002.DeepClone(),
            }, [current.ServiceDipId, point.DistributorDipId], null);
        }
        var previousSupplier = RegisteredSupplier(registration.Mpan.Value, at - Duration.FromMinutes(1));
        var recipients = new List<string> { point.DistributorDipId };
        if (previousSupplier is not null && previousSupplier.SupplierDipId != registration.SupplierDipId) recipients.Insert(0, previousSupplier.SupplierDipId);
        await Publish("IF-003", "[ReverseMigNotification]", point, new JsonObject
        {
            ["B013"] = b013, ["B094"] = new JsonObject { ["MHHSRegimeEndDate"] = MarketTime.ToDip(at) }, ["B002"] = b002,
        }, recipients, null);
    }

    private static JsonObject SupplierBlock(MeteringServiceAppointment a) => new()
    {
        ["serviceProviderAppointmentRequestingSupplierDIPID"] = a.RequestingSupplierDipId,
        ["serviceProviderAppointmentRequestingSupplierMPID"] = a.RequestingSupplierMpid,
    };

    private static JsonObject B070(MeteringServiceAppointment a) => new()
    {
        ["proposedMeteringServiceDIPID"] = a.ServiceDipId,
        ["proposedMeteringServiceMPID"] = a.ServiceMpid,
        ["proposedMeteringServiceDIPEffectiveFromDate"] = MarketTime.ToDip(a.EffectiveFrom.ToInstant()),
        ["contractReferenceMeteringService"] = a.ContractReference,
        ["appointmentScenario"] = a.Scenario,
    };

    // Site attributes are recorded as effective from a fixed historic date: the harness does not model their history.
    private static string Since(MeteringPoint _) => MarketTime.ToDip(MarketTime.StartOfDay(new LocalDate(2020, 1, 1)));

    private static void AddSiteBlocks(JsonObject custom, MeteringPoint point)
    {
        var since = Since(point);
        var address = new JsonObject { ["meteringPointPostcode"] = point.Postcode, ["addressLine1"] = point.AddressLine1 };
        for (var i = 2; i <= 9; i++) address["addressLine" + i] = "";
        custom["B022"] = address;
        custom["B023"] = new JsonObject
        {
            ["connectionTypeIndicator"] = point.ConnectionType, ["connectionTypeEffectiveFromDate"] = since,
            ["energyDirection"] = "I", ["meteredIndicator"] = point.Segment != MarketSegment.Unmetered,
        };
        custom["B024"] = new JsonObject { ["DUOSTariffID"] = point.DuosTariffId, ["DUOSTariffIDEffectiveFromDate"] = since };
        custom["B025"] = new JsonObject { ["energisationStatus"] = point.Energisation, ["energisationStatusEffectiveFromDate"] = since };
        custom["B026"] = new JsonObject { ["marketSegmentIndicator"] = point.Segment.Code(), ["marketSegmentIndicatorEffectiveFromDate"] = since };
    }

    private Task Publish(string iface, string evt, MeteringPoint point, JsonObject custom, IReadOnlyList<string> recipients, string? correlation) =>
        Publish(iface, evt, new M0Block(point.Mpan.Value, point.DistributorDipId, point.GspGroup), custom, recipients, correlation);

    private Task Publish(string iface, string evt, M0Block m0, JsonObject custom, IReadOnlyList<string> recipients, string? correlation, R0Block? r0 = null)
    {
        var payload = DipMessageFactory.Payload(iface, evt, HarnessParties.RegistrationServiceDipId, DipRole.RegistrationService, m0,
            Clock.GetCurrentInstant(), custom, correlation);
        if (r0 is not null) payload = payload with { CommonBlock = payload.CommonBlock with { R0 = r0 } };
        return _dip.PublishAsync(payload, recipients, correlation);
    }
}
