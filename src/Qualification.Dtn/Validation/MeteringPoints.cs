namespace Qualification.Dtn.Validation;

/// <summary>Where a metering point stands in the move to MHHS.</summary>
public enum MigrationStatus
{
    /// <summary>Under legacy (non-MHHS) arrangements.</summary>
    Legacy,
    /// <summary>Forward migration in progress.</summary>
    Migrating,
    /// <summary>An MHHS metering point.</summary>
    Migrated,
}

/// <summary>The kind of metering asset.</summary>
public enum MeterKind
{
    /// <summary>Neither smart nor advanced.</summary>
    Traditional,
    /// <summary>A smart meter (SMETS).</summary>
    Smart,
    /// <summary>An advanced (half-hourly, usually CT) meter.</summary>
    Advanced,
}

/// <summary>What the harness knows about a metering point, which the file alone does not say.</summary>
/// <param name="Mpan">MPAN core.</param>
/// <param name="Status">Legacy, migrating or MHHS.</param>
/// <param name="Meter">Meter kind, when known.</param>
/// <param name="DuosTariffId">DUoS Tariff Id (MHHS points).</param>
/// <param name="CumulativeRegisterId">Register id of the total cumulative register of its smart meter.</param>
public sealed record MeteringPoint(string Mpan, MigrationStatus Status, MeterKind? Meter = null, string? DuosTariffId = null, string? CumulativeRegisterId = null)
{
    /// <summary>An MHHS (migrated) metering point.</summary>
    public bool IsMhhs => Status == MigrationStatus.Migrated;
}

/// <summary>Looks metering points up by MPAN core.</summary>
public interface IMeteringPointDirectory
{
    /// <summary>The point, or null when the harness does not know it (rules that need it are then not judged).</summary>
    MeteringPoint? Find(string mpan);
}

/// <summary>
/// An in-memory directory, filled in code or from a CSV file with the header
/// <c>mpan,status,meter,duosTariffId,cumulativeRegister</c> (status legacy|migrating|migrated; meter
/// traditional|smart|advanced; the last three may be blank; lines starting with # are comments).
/// </summary>
public sealed class MeteringPointDirectory : IMeteringPointDirectory
{
    private readonly Dictionary<string, MeteringPoint> _points = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a point.</summary>
    public MeteringPointDirectory Add(MeteringPoint point)
    {
        _points[point.Mpan] = point;
        return this;
    }

    /// <inheritdoc />
    public MeteringPoint? Find(string mpan) => _points.GetValueOrDefault(mpan);

    /// <summary>Points known.</summary>
    public int Count => _points.Count;

    /// <summary>Reads the CSV layout described on the class; throws <see cref="FormatException"/> naming the line.</summary>
    public static MeteringPointDirectory Load(string path)
    {
        var directory = new MeteringPointDirectory();
        var n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || (n == 1 && line.StartsWith("mpan", StringComparison.OrdinalIgnoreCase))) continue;
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            string? Cell(int i) => i < cells.Length && cells[i].Length > 0 ? cells[i] : null;
            if (Qualification.Domain.MpanCore.Problem(Cell(0)) is { } problem) throw new FormatException($"{path}:{n}: {problem}");
            var status = Cell(1)?.ToLowerInvariant() switch
            {
                "legacy" => MigrationStatus.Legacy,
                "migrating" => MigrationStatus.Migrating,
                "migrated" or "mhhs" => MigrationStatus.Migrated,
                var s => throw new FormatException($"{path}:{n}: status '{s}': use legacy, migrating or migrated"),
            };
            MeterKind? meter = Cell(2)?.ToLowerInvariant() switch
            {
                null => null,
                "traditional" => MeterKind.Traditional,
                "smart" => MeterKind.Smart,
                "advanced" => MeterKind.Advanced,
                var s => throw new FormatException($"{path}:{n}: meter '{s}': use traditional, smart or advanced"),
            };
            directory.Add(new MeteringPoint(cells[0], status, meter, Cell(3), Cell(4)));
        }
        return directory;
    }
}
