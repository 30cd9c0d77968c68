using Qualification.Dtn.Definitions;
using Qualification.Dtn.IO;

namespace Qualification.Dtn.Validation;

/// <summary>
/// One metering point's part of a flow: the group carrying its MPAN core, every group under it, and the
/// groups above it (such as D0303's 72C), which is what the MHHS rules judge.
/// </summary>
/// <param name="Header">The file's ZHV.</param>
/// <param name="Flow">The flow definition.</param>
/// <param name="Ancestors">Records above the MPAN group, outermost first.</param>
/// <param name="Records">The MPAN group's record, then its descendants in file order.</param>
/// <param name="Overlay">The harness's MHHS values.</param>
public sealed record FlowUnit(ZhvHeader Header, FlowDefinition Flow, IReadOnlyList<DtnRecord> Ancestors, IReadOnlyList<DtnRecord> Records, HarnessOverlay Overlay)
{
    /// <summary>The MPAN core, when populated.</summary>
    public string? Mpan => Value(Records[0], "J0003");

    /// <summary>The value of item <paramref name="reference"/> on <paramref name="record"/>, or null when empty or not in its group.</summary>
    public string? Value(DtnRecord record, string reference)
    {
        var index = Flow.Find(record.GroupId)?.IndexOf(reference) ?? -1;
        return index < 0 ? null : record.Text(index);
    }

    /// <summary>Records of group <paramref name="groupId"/> in this unit.</summary>
    public IEnumerable<DtnRecord> Of(string groupId) => Records.Where(r => r.GroupId == groupId);

    /// <summary>The records directly or indirectly under <paramref name="record"/> (until the next record at its level or above).</summary>
    public IEnumerable<DtnRecord> Under(DtnRecord record)
    {
        var level = Flow.Find(record.GroupId)?.Level ?? 0;
        var start = Records.ToList().IndexOf(record);
        for (var i = start + 1; i < Records.Count; i++)
        {
            if ((Flow.Find(Records[i].GroupId)?.Level ?? 0) <= level) yield break;
            yield return Records[i];
        }
    }

    /// <summary>The meter kind the file itself implies: Smart when a J0483 meter type is a SMETS type.</summary>
    public MeterKind? InferredMeterKind =>
        Records.Select(r => Value(r, "J0483")).Any(t => t is not null && Overlay.SmartMeterTypePrefixes.Any(p => t.StartsWith(p, StringComparison.Ordinal))) ? MeterKind.Smart : null;
}

/// <summary>
/// The MHHS changes to REC-owned DTN flows (seed deck, "Changes to REC-owned DTN data flows"), judged per
/// metering point. Rules that depend on facts the file does not carry (is this an MHHS point? what meter?)
/// use the <see cref="MeteringPoint"/> the harness knows, and are not judged without it.
/// </summary>
public static class MhhsRules
{
    /// <summary>Applies every rule of the unit's flow, reporting to <paramref name="validation"/>.</summary>
    public static void Check(FlowUnit unit, MeteringPoint? point, FlowValidation validation)
    {
        void Report(string rule, DtnRecord r, string? field, string message, Severity severity = Severity.Error) =>
            validation.Report(rule, r.LineNumber, r.GroupId, field, message, severity);
        var overlay = unit.Overlay;
        var mhhs = point?.IsMhhs == true;
        // Only the MTD and D0311 rules need the meter kind, and only for MHHS points.
        var meter = mhhs ? point!.Meter ?? unit.InferredMeterKind : null;
        switch (unit.Flow.FlowId)
        {
            case "D0010":
                foreach (var r in unit.Of("028"))
                    if (unit.Value(r, "J0171") == overlay.SupplierAgreedSwitchReadType && unit.Header.FromRole != "X")
                        Report(DtnRules.D0010SupplierAgreedRead, r, "J0171 Reading Type",
                            $"reading type {overlay.SupplierAgreedSwitchReadType} (Supplier Agreed Switch Read) resolves a Switch Meter Reading exception and comes from a Supplier (role X); this file is from role '{unit.Header.FromRole}'", Severity.Warning);
                // A Supplier Agreed Switch Read of a Smart meter is of its total cumulative register (Schedule 30 changes).
                // (A read of type X from anyone but a supplier is the rule above's concern.)
                if (unit.Header.FromRole == "X" && point is { IsMhhs: true, Meter: MeterKind.Smart, CumulativeRegisterId: { } register })
                    foreach (var switchRead in unit.Of("028").Where(m => unit.Value(m, "J0171") == overlay.SupplierAgreedSwitchReadType))
                        foreach (var r in unit.Under(switchRead).Where(r => r.GroupId == "030"))
                            if (unit.Value(r, "J0010") is { } read && read != register)
                                Report(DtnRules.D0010Cumulative, r, "J0010 Meter Register Id",
                                    $"MPAN {unit.Mpan} is an MHHS point with a Smart meter: a Supplier Agreed Switch Read must be of the total cumulative register '{register}'; got register '{read}'");
                break;
            case "D0139":
                Cumulative(unit, point, "263", DtnRules.D0139Cumulative, Report);
                break;
            case "D0300":
                Cumulative(unit, point, "60C", DtnRules.D0300Cumulative, Report);
                break;
            case "D0304":
                ForwardMigration(unit, point, "72M", "J2255", "J2255 MPAS D0304 Response Code", overlay.ForwardMigrationD0304ResponseCode, DtnRules.D0304ForwardMigration, Report);
                break;
            case "D0312":
                ForwardMigration(unit, point, "77M", "J2256", "J2256 MOP Flow Response Code", overlay.ForwardMigrationD0312ResponseCode, DtnRules.D0312ForwardMigration, Report);
                break;
            case "D0268":
                if (mhhs && meter is { } k268 && k268 != MeterKind.Advanced)
                    Report(DtnRules.D0268Advanced, unit.Records[0], null, $"MPAN {unit.Mpan} is an MHHS point with a {k268} meter; D0268 (Advanced Meter Technical Details) is for Advanced meters{(k268 == MeterKind.Traditional ? " (Traditional MTDs go on D0149/D0150)" : "")}");
                break;
            case "D0149" or "D0150":
                if (mhhs && meter is { } k150 && k150 != MeterKind.Traditional)
                    Report(DtnRules.TraditionalMtd, unit.Records[0], null, $"MPAN {unit.Mpan} is an MHHS point with a {k150} meter; {unit.Flow.FlowId} carries Traditional meters' MTDs at MHHS points{(k150 == MeterKind.Advanced ? " (Advanced MTDs go on D0268)" : "")}");
                break;
            case "D0311":
                if (mhhs) D0311(unit, point!, meter, Report);
                break;
        }
    }

    private delegate void Reporter(string rule, DtnRecord r, string? field, string message, Severity severity = Severity.Error);

    private static void Cumulative(FlowUnit unit, MeteringPoint? point, string groupId, string rule, Reporter report)
    {
        if (point is not { IsMhhs: true, Meter: MeterKind.Smart, CumulativeRegisterId: { } cumulative }) return;
        foreach (var r in unit.Of(groupId))
            if (unit.Value(r, "J0010") is { } register && register != cumulative)
                report(rule, r, "J0010 Meter Register Id",
                    $"MPAN {unit.Mpan} is an MHHS point with a Smart meter: readings must be of the total cumulative register '{cumulative}'; got register '{register}'");
    }

    private static void ForwardMigration(FlowUnit unit, MeteringPoint? point, string groupId, string reference, string label, string code, string rule, Reporter report)
    {
        if (point is null) return;
        var migrating = point.Status is MigrationStatus.Migrating or MigrationStatus.Migrated;
        foreach (var r in unit.Of(groupId))
        {
            var value = unit.Value(r, reference);
            if (migrating && value != code)
                report(rule, r, label, $"MPAN {unit.Mpan} is {(point.Status == MigrationStatus.Migrated ? "migrated to MHHS" : "migrating to MHHS")}: MPAS metering updates are not possible, so the response must be {code} (MPAN forward migration in progress or completed); got '{value}'");
            else if (!migrating && value == code)
                report(rule, r, label, $"response {code} means the MPAN's forward migration is in progress or completed, but MPAN {unit.Mpan} is under legacy arrangements");
        }
    }

    private static void D0311(FlowUnit unit, MeteringPoint point, MeterKind? meter, Reporter report)
    {
        var top = unit.Records[0];
        var profileClass = unit.Value(top, "J0071");
        if (meter == MeterKind.Traditional && profileClass is null)
            report(DtnRules.D0311ProfileClass, top, "J0071 Profile Class Id", $"MPAN {unit.Mpan} is an MHHS point with a Traditional meter: the Profile Class must be populated");
        else if (meter is MeterKind.Smart or MeterKind.Advanced && profileClass is not null)
            report(DtnRules.D0311ProfileClass, top, "J0071 Profile Class Id", $"MPAN {unit.Mpan} is an MHHS point with a {meter} meter: the Profile Class must be null (only Traditional meters keep one); got '{profileClass}'");
        if (unit.Value(top, "J0220") is { } mtc)
            report(DtnRules.D0311Mtc, top, "J0220 Meter Timeswitch Code", $"MPAN {unit.Mpan} is an MHHS point: the Meter Timeswitch Code must be null; got '{mtc}'");
        var llfc = unit.Value(top, "J0147");
        if (llfc is null)
            report(DtnRules.D0311Llfc, top, "J0147 Line Loss Factor Class Id", $"MPAN {unit.Mpan} is an MHHS point: this field must hold the DUoS Tariff Id{(point.DuosTariffId is { } t ? $" '{t}'" : "")}; it is empty");
        else if (point.DuosTariffId is { } tariff && llfc != tariff)
            report(DtnRules.D0311Llfc, top, "J0147 Line Loss Factor Class Id", $"MPAN {unit.Mpan} is an MHHS point: this field must hold its DUoS Tariff Id '{tariff}'; got '{llfc}'");
        if (meter == MeterKind.Smart)
        {
            foreach (var meterRecord in unit.Of("06D"))
            {
                var reads = unit.Under(meterRecord).Where(r => r.GroupId == "07D").ToList();
                if (reads.Count > 0 && !reads.Any(r => unit.Value(r, "J0078") == unit.Overlay.TotalCumulativeTpr))
                    report(DtnRules.D0311Cumulative, meterRecord, "J0078 Time Pattern Regime",
                        $"meter {unit.Value(meterRecord, "J0004")} of MHHS point {unit.Mpan} is Smart: its last actual reads (07D) must include the total cumulative register with TPR {unit.Overlay.TotalCumulativeTpr}; got TPRs {string.Join(", ", reads.Select(r => unit.Value(r, "J0078") ?? "(blank)"))}");
            }
        }
        foreach (var r in unit.Records.Where(r => r.GroupId is "09D"))
            report(DtnRules.D0311Eac, r, null, $"MPAN {unit.Mpan} is an MHHS point: Old Supplier's EAC groups (09D/10D) are only populated for non-MHHS metering points");
    }
}
