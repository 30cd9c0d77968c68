namespace Qualification.ReferenceParticipants;

/// <summary>Deliberate faults a reference participant can be started with, to prove that rules catch them.</summary>
public sealed record ParticipantFaults
{
    /// <summary>Supplier: wait this long (real time) after IF-002 before sending IF-031.</summary>
    public TimeSpan AppointmentDelay { get; init; }
    /// <summary>Supplier: write the effective-from as UTC midnight (wrong during British Summer Time).</summary>
    public bool EffectiveFromAtUtcMidnight { get; init; }
    /// <summary>Supplier: write the effective-from at 00:30 local time.</summary>
    public bool EffectiveFromHalfPastMidnight { get; init; }
    /// <summary>Metering service: never answer IF-033.</summary>
    public bool IgnoreAppointmentRequests { get; init; }

    /// <summary>Metering service: hold MTD updates (IF-005) until this many market days after the works.</summary>
    public int MtdDelayDays { get; init; }
    /// <summary>Metering service: report an energisation change inside an IF-005 meter update instead of IF-007.</summary>
    public bool EnergisationViaMeterUpdate { get; init; }
    /// <summary>Supplier: ignore IF-045 notices (no metering service appointed, or one not qualified for the segment).</summary>
    public bool IgnoreReminders { get; init; }

    /// <summary>Supplier: leave the appointment scenario out of IF-031 (a schema failure).</summary>
    public bool InvalidAppointmentRequest { get; init; }
    /// <summary>Metering service: leave the outcome code out of IF-034 (a schema failure).</summary>
    public bool InvalidAppointmentResponse { get; init; }

    /// <summary>Supplier: accept relationship actions but never send IF-019.</summary>
    public bool NoRelationshipRequests { get; init; }
    /// <summary>Metering service: send D0268 with a trailer record count that does not match its records.</summary>
    public bool BadD0268Trailer { get; init; }
    /// <summary>Metering service: share no install or removal readings (IF-041) after meter works.</summary>
    public bool NoWorksReadings { get; init; }
    /// <summary>Losing metering service: send no MTDs (D0268) to the gaining service on IF-035 [IMS-SendMTD].</summary>
    public bool NoMtdHandover { get; init; }
    /// <summary>Gaining metering service: never request missing MTDs from the losing service with D0170.</summary>
    public bool NoMissingMtdRequest { get; init; }
    /// <summary>Metering service: share no register readings by D0010 after Advanced meter works.</summary>
    public bool NoRegisterReadingsFlow { get; init; }

    /// <summary>Supplier: act again on a replayed DIP message it has already acted on.</summary>
    public bool ActOnReplays { get; init; }
    /// <summary>Supplier: never raise a switch meter reading exception (no D0010 'Supplier Agreed Switch Read').</summary>
    public bool NoSwitchReadException { get; init; }
    /// <summary>Supplier: print the Supply Number top line as before R0083 (Profile Class, MTC, LLFC Id).</summary>
    public bool LegacySupplyNumber { get; init; }

    /// <summary>Supplier: migrate legacy metering points with an MHHS scenario (COS on a switch, CSP for its own) instead of MCS/MCA.</summary>
    public bool MigrationAsChangeOfSupply { get; init; }
    /// <summary>Metering service: keep reporting meter works for a metering point after reverse migration de-appointed it.</summary>
    public bool UpdatesAfterReverseMigration { get; init; }

    /// <summary>Supplier: do nothing when a proposed metering service appointment is rejected (IF-032 R, IF-035 [MSAppRejected]).</summary>
    public bool IgnoreRejections { get; init; }

    /// <summary>No faults.</summary>
    public static ParticipantFaults None { get; } = new();

    /// <summary>Reads faults from "late-appointment=3s", "efd-utc-midnight", "efd-half-past-midnight", "ignore-appointment-requests".</summary>
    public static ParticipantFaults Parse(IEnumerable<string> specs)
    {
        var f = None;
        foreach (var spec in specs)
        {
            var (name, value) = spec.Split('=', 2) is [var n, var v] ? (n, v) : (spec, null);
            f = name switch
            {
                "late-appointment" => f with { AppointmentDelay = ParseDelay(value, spec) },
                "efd-utc-midnight" => f with { EffectiveFromAtUtcMidnight = true },
                "efd-half-past-midnight" => f with { EffectiveFromHalfPastMidnight = true },
                "ignore-appointment-requests" => f with { IgnoreAppointmentRequests = true },
                "mtd-delay-days" => f with { MtdDelayDays = int.TryParse(value, out var days) && days > 0 ? days : throw new FormatException($"Fault '{spec}': give whole days, e.g. mtd-delay-days=4.") },
                "energisation-via-if005" => f with { EnergisationViaMeterUpdate = true },
                "ignore-reminders" => f with { IgnoreReminders = true },
                "invalid-appointment-request" => f with { InvalidAppointmentRequest = true },
                "no-works-readings" => f with { NoWorksReadings = true },
                "bad-d0268-trailer" => f with { BadD0268Trailer = true },
                "no-relationship-requests" => f with { NoRelationshipRequests = true },
                "migration-as-cos" => f with { MigrationAsChangeOfSupply = true },
                "updates-after-reverse-migration" => f with { UpdatesAfterReverseMigration = true },
                "no-mtd-handover" => f with { NoMtdHandover = true },
                "no-d0170" => f with { NoMissingMtdRequest = true },
                "no-d0010" => f with { NoRegisterReadingsFlow = true },
                "invalid-appointment-response" => f with { InvalidAppointmentResponse = true },
                "act-on-replays" => f with { ActOnReplays = true },
                "no-switch-read-exception" => f with { NoSwitchReadException = true },
                "legacy-supply-number" => f with { LegacySupplyNumber = true },
                "ignore-rejections" => f with { IgnoreRejections = true },
                _ => throw new FormatException($"Unknown fault '{spec}'. Known: late-appointment=<seconds>s, efd-utc-midnight, efd-half-past-midnight, ignore-appointment-requests, mtd-delay-days=<days>, energisation-via-if005, ignore-reminders, invalid-appointment-request, invalid-appointment-response, no-works-readings, bad-d0268-trailer, no-relationship-requests, no-mtd-handover, no-d0170, no-d0010, act-on-replays, no-switch-read-exception, legacy-supply-number, ignore-rejections, migration-as-cos, updates-after-reverse-migration."),
            };
        }
        return f;
    }

    private static TimeSpan ParseDelay(string? value, string spec) =>
        value is not null && value.EndsWith('s') && double.TryParse(value[..^1], System.Globalization.CultureInfo.InvariantCulture, out var s) && s >= 0
            ? TimeSpan.FromSeconds(s)
            : throw new FormatException($"Fault '{spec}': give the delay in real seconds, e.g. late-appointment=3s.");
}

/// <summary>How a reference participant is configured.</summary>
public sealed record ParticipantOptions
{
    /// <summary>SUP or MSS.</summary>
    public required string Role { get; init; }
    /// <summary>Its DIP id.</summary>
    public required string DipId { get; init; }
    /// <summary>Its MPID.</summary>
    public required string Mpid { get; init; }
    /// <summary>The DIP it sends to.</summary>
    public required Uri DipUrl { get; init; }
    /// <summary>The CSS it reads its registrations from (suppliers).</summary>
    public Uri? CssUrl { get; init; }
    /// <summary>The DTN gateway it sends flow files to (metering services, for Advanced meters).</summary>
    public Uri? DtnUrl { get; init; }
    /// <summary>The X-API-Key it sends.</summary>
    public string? ApiKey { get; init; }
    /// <summary>Listening URL, e.g. http://127.0.0.1:0.</summary>
    public string ListenUrl { get; init; } = "http://127.0.0.1:0";
    /// <summary>The metering service a supplier appoints.</summary>
    public string MeteringServiceDipId { get; init; } = "1200000015";
    /// <summary>Its MPID.</summary>
    public string MeteringServiceMpid { get; init; } = "REFM";
    /// <summary>The metering service a supplier proposes when its first proposal is rejected (null: none).</summary>
    public string? FallbackMeteringServiceDipId { get; init; }
    /// <summary>Its MPID.</summary>
    public string? FallbackMeteringServiceMpid { get; init; }
    /// <summary>DIP environment tag to send.</summary>
    public string EnvironmentTag { get; init; } = "SIT";
    /// <summary>Deliberate faults.</summary>
    public ParticipantFaults Faults { get; init; } = ParticipantFaults.None;
    /// <summary>The working-day calendar it counts working-day obligations with (the run's calendar).</summary>
    public Qualification.Domain.Market.WorkingDayCalendar Calendar { get; init; } = Qualification.Domain.Market.WorkingDayCalendar.Default;
}
