using Qualification.Domain;
using Qualification.Dtn.Validation;
using Qualification.Stubs.Smrs;

namespace Qualification.Stubs.Dtn;

/// <summary>
/// What SMRS holds about a metering point, in the terms the DTN rules need (migrated or legacy,
/// meter kind, DUoS tariff id), so flows are judged against the same central state as DIP messages.
/// </summary>
public sealed class SmrsMeteringPoints(SmrsEmulator smrs) : IMeteringPointDirectory
{
    /// <inheritdoc />
    public Qualification.Dtn.Validation.MeteringPoint? Find(string mpan) =>
        smrs.FindMeteringPoint(mpan) is { } p
            ? new Qualification.Dtn.Validation.MeteringPoint(mpan, p.Migrated ? MigrationStatus.Migrated : MigrationStatus.Legacy,
                p.Segment switch { MarketSegment.Smart => MeterKind.Smart, MarketSegment.Advanced => MeterKind.Advanced, _ => null }, p.DuosTariffId, p.CumulativeRegisterId)
            : null;
}
