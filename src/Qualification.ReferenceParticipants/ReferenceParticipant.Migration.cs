using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;

namespace Qualification.ReferenceParticipants;

// MHHS migration as a qualified supplier and an MHHS metering service see it (REC deck, "Migration"):
// forward migration of legacy metering points with MCA (own point) or MCS (on a switch), and reverse
// migration, after which the de-appointed metering service leaves the point alone.
public sealed partial class ReferenceParticipant
{
    // IF-002 names the incumbent metering service in B005. A legacy meter operator is not on the DIP: it
    // has an MPID and no DIP id, which tells the gaining supplier the point is still under legacy
    // arrangements. A qualified supplier then migrates it with the switch (MCS, "Forward Migration CoS").
    private string GainScenario(DipMessage gain)
    {
        var b005 = gain.Payload.CustomBlock["B005"];
        var legacy = b005.Text("currentMeteringServiceMPID") is not null && b005.Text("currentMeteringServiceDIPID") is null;
        if (!legacy || _options.Faults.MigrationAsChangeOfSupply) return "COS";
        _log.Enqueue($"{gain.Mpan} is not migrated: appointing with MCS");
        return "MCS";
    }

    // Driver action migrate-metering-point: the current supplier migrates its own legacy point by
    // appointing its MHHS metering service (MCA, "Forward Migration CoA").
    private Task MigrateMeteringPointAsync(M0Block m0, JsonObject p) =>
        SendAsync("IF-031", "[MSApp]", m0, new JsonObject
        {
            ["B070"] = new JsonObject
            {
                ["proposedMeteringServiceDIPID"] = p.Text("serviceDipId") ?? _options.MeteringServiceDipId,
                ["proposedMeteringServiceMPID"] = p.Text("serviceMpid") ?? _options.MeteringServiceMpid,
                ["proposedMeteringServiceDIPEffectiveFromDate"] = p.Text("effectiveFrom"),
                ["contractReferenceMeteringService"] = "MS-CONTRACT-001",
                ["appointmentScenario"] = _options.Faults.MigrationAsChangeOfSupply ? "CSP" : "MCA",
            },
        }, null);

    // IF-003 [MSDeAppRM]: reverse migration returned the point to legacy arrangements; this service is
    // no longer appointed and sends nothing more for it.
    private async Task OnReverseMigrationDeAppointmentAsync(DipMessage m)
    {
        _log.Enqueue($"de-appointed from {m.Mpan} by reverse migration");
        if (!_options.Faults.UpdatesAfterReverseMigration) return;
        // Deliberately wrong: carries on maintaining the meter as if still appointed.
        var at = MarketTime.ParseDip(m.Payload.CommonBlock.D0?.TransactionTimestamp)?.ToInstant() ?? SystemClock.Instance.GetCurrentInstant();
        var m0 = m.Payload.CommonBlock.M0!;
        await ReportMeterWorksAsync("exchange-meter", at, m0, new JsonObject { ["mpan"] = m.Mpan });
    }
}
