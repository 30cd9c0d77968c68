using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>
/// One real run with failures (the built-in supplier made late and UTC-midnight faulty), shared by
/// the reporting tests: `qualify run` then `qualify report`, as processes, as a user runs them.
/// </summary>
public static class FaultyRun
{
    /// <summary>The two requirements this run fails.</summary>
    public static readonly string[] FailedRequirements = ["REC-MO-22.6.1", "MHHS-APP-EFD-MIDNIGHT"];

    private static readonly Lazy<Task<(string Dir, Qualify.Result Run, Qualify.Result Report)>> Shared = new(CreateAsync);

    /// <summary>The run folder, the run's and the report command's results.</summary>
    public static Task<(string Dir, Qualify.Result Run, Qualify.Result Report)> GetAsync() => Shared.Value;

    private static async Task<(string, Qualify.Result, Qualify.Result)> CreateAsync()
    {
        // reports/<run> layout inside a temp root, so the Allure history file lands in that root.
        var root = Qualify.TempDir("reports");
        var dir = Path.Combine(root, "faulty-run");
        var run = await Qualify.RunAsync(["run", "--results", dir, "--time-scale", "3600",
            "--reference-fault", "late-appointment=1.5s", "--reference-fault", "efd-utc-midnight"], TimeSpan.FromMinutes(4));
        var report = await Qualify.RunAsync(["report", "--results", dir], TimeSpan.FromMinutes(3));
        return (dir, run, report);
    }
}
