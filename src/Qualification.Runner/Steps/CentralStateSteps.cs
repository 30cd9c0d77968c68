using NodaTime;
using NodaTime.Text;
using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Runner.Composition;
using Qualification.Stubs;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Smrs;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>
/// Central state stated as Gherkin tables, so a code manager sets up SMRS without code. Parties are
/// named by role words ("the supplier", "the metering service", "the losing supplier", "the
/// incumbent metering service") or by MPID.
/// </summary>
[Binding]
public sealed class CentralStateSteps(ScenarioWorld world)
{
    /// <summary>Metering points SMRS holds. Columns: mpan (required), segment, gsp group, connection type, energisation, duos tariff, postcode, migrated (yes/no, default yes), complex (yes/no).</summary>
    [StepExample("Given the registration service holds these metering points:")]
    [Given(@"^the registration service holds these metering points:$")]
    public void GivenTheseMeteringPoints(Table table)
    {
        foreach (var (row, line) in Rows(table, "mpan"))
        {
            var point = new MeteringPoint { Mpan = Mpan(row, line) };
            if (Cell(row, "segment") is { } segment) point = point with { Segment = MarketSegments.Parse(segment) };
            if (Cell(row, "gsp group") is { } gsp) point = point with { GspGroup = gsp };
            if (Cell(row, "connection type") is { } connection) point = point with { ConnectionType = connection };
            if (Cell(row, "energisation") is { } energisation) point = point with { Energisation = energisation };
            if (Cell(row, "duos tariff") is { } duos) point = point with { DuosTariffId = duos };
            if (Cell(row, "postcode") is { } postcode) point = point with { Postcode = postcode };
            if (Cell(row, "migrated") is { } migrated) point = point with { Migrated = YesNo(migrated, "migrated", line) };
            if (Cell(row, "complex") is { } complex) point = point with { Complex = YesNo(complex, "complex", line) };
            world.Harness.Smrs.AddMeteringPoint(point);
        }
    }

    /// <summary>Supplier registrations. Columns: mpan, supplier, from (yyyy-MM-dd), status (Active, SecuredActive, Pending; default Active).</summary>
    [StepExample("Given these supplier registrations:")]
    [Given(@"^these supplier registrations:$")]
    public void GivenTheseSupplierRegistrations(Table table)
    {
        var n = 0;
        foreach (var (row, line) in Rows(table, "mpan", "supplier", "from"))
        {
            var mpan = Mpan(row, line);
            var party = Party(row["supplier"], line);
            var status = Cell(row, "status") is { } s
                ? Enum.TryParse<RegistrationStatus>(s.Replace(" ", ""), true, out var parsed) ? parsed : throw new InputException($"table row {line}: status '{s}' is not Active, SecuredActive, Pending or Withdrawn")
                : RegistrationStatus.Active;
            world.Harness.Smrs.AddRegistration(new SupplierRegistration($"CSS-{mpan}-T{++n:D3}", mpan, party.DipId, party.Mpid, Date(row["from"], line)) { Status = status });
        }
    }

    /// <summary>Metering service appointments. Columns: mpan, metering service (a party, or the legacy meter operator of a non-migrated point), from (yyyy-MM-dd), supplier (default the supplier).</summary>
    [StepExample("Given these metering service appointments:")]
    [Given(@"^these metering service appointments:$")]
    public void GivenTheseAppointments(Table table)
    {
        var n = 0;
        foreach (var (row, line) in Rows(table, "mpan", "metering service", "from"))
        {
            var mpan = Mpan(row, line);
            // The legacy meter operator is not on the DIP: SMRS knows it by MPID only (no DIP id).
            var service = row["metering service"].Trim().Equals("the legacy meter operator", StringComparison.OrdinalIgnoreCase)
                ? (DipId: "", Mpid: HarnessParties.LegacyMeterOperatorMpid)
                : Party(row["metering service"], line) is var p ? (p.DipId, p.Mpid) : default;
            var supplier = Party(Cell(row, "supplier") ?? "the supplier", line);
            var from = MarketTime.StartOfDay(Date(row["from"], line)).InZone(MarketTime.London).ToOffsetDateTime();
            world.Harness.Smrs.AddAppointment(new MeteringServiceAppointment($"APP-{mpan}-T{++n:D3}", mpan, service.DipId, service.Mpid, supplier.DipId, supplier.Mpid,
                "COS", from, null, null, null) { Status = AppointmentStatus.Active });
        }
    }

    private static IEnumerable<(DataTableRow Row, int Line)> Rows(Table table, params string[] required)
    {
        foreach (var column in required)
            if (!table.ContainsColumn(column))
                throw new InputException($"the table needs a '{column}' column (it has: {string.Join(", ", table.Header)})");
        var line = 0;
        foreach (var row in table.Rows) yield return (row, ++line);
    }

    private static bool YesNo(string text, string column, int line) => text.ToLowerInvariant() switch
    {
        "yes" or "true" => true,
        "no" or "false" => false,
        _ => throw new InputException($"table row {line}: {column} '{text}' is not yes or no"),
    };

    private static string? Cell(DataTableRow row, string column) =>
        row.TryGetValue(column, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static MpanCore Mpan(DataTableRow row, int line) =>
        MpanCore.TryParse(row["mpan"], out var m) ? m : throw new InputException($"table row {line}: mpan '{row["mpan"]}': {MpanCore.Problem(row["mpan"])}");

    private static LocalDate Date(string text, int line) =>
        LocalDatePattern.Iso.Parse(text.Trim()) is { Success: true } r ? r.Value : throw new InputException($"table row {line}: '{text}' is not a date; write yyyy-MM-dd");

    private Participant Party(string name, int line)
    {
        var h = world.Harness;
        return name.Trim().ToLowerInvariant() switch
        {
            "the supplier" => h.Supplier,
            "the metering service" => h.MeteringService,
            "the losing supplier" => h.Directory.Find(HarnessParties.LosingSupplierDipId)!,
            "the incumbent metering service" => h.Directory.Find(HarnessParties.IncumbentMeteringServiceDipId)!,
            var mpid => h.Directory.All.FirstOrDefault(p => p.Mpid.Equals(mpid, StringComparison.OrdinalIgnoreCase))
                ?? throw new InputException($"table row {line}: '{name}' is not a party; use the supplier, the metering service, the losing supplier, the incumbent metering service, or an MPID"),
        };
    }
}
