using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>The HTTP driver API (docs/driver-api.md): the baseline the other driving modes must match.</summary>
public class DriverApiTests
{
    [Test]
    public async Task DriverApi_AppointmentAndMeterWorksScenariosPass()
    {
        var dir = Qualify.TempDir("drive-api");
        var ports = DriverRuns.Ports.Free();
        using var candidate = await DriverRuns.StartCandidateAsync(ports);
        try
        {
            var results = Path.Combine(dir, "run");
            var profile = DriverRuns.Profile(dir, ports, "drive: api\n", driverApi: true);
            var run = await Qualify.RunAsync(DriverRuns.RunArgs(profile, results));

            DriverRuns.AssertQualified(run, results);
            var actions = DriverRuns.CandidateActions(results);
            Assert.That(actions, Has.Count.EqualTo(3), run.All);
            Assert.That(actions.Select(a => a["url"]!.GetValue<string>()), Has.All.EndsWith("/driver/actions"));
        }
        finally { DriverRuns.Stop(candidate); }
    }
}
