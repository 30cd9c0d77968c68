using Reqnroll;
using Reqnroll.Plugins;
using Reqnroll.Tracing;
using Reqnroll.UnitTestProvider;

[assembly: RuntimePlugin(typeof(Qualification.Runner.Execution.ConsoleRuntimePlugin))]

namespace Qualification.Runner.Execution;

/// <summary>
/// Lets Reqnroll's runtime run without a test framework: the runner itself is the "unit test
/// provider". Found by Reqnroll through the assembly attribute above.
/// </summary>
public sealed class ConsoleRuntimePlugin : IRuntimePlugin
{
    /// <inheritdoc />
    public void Initialize(RuntimePluginEvents runtimePluginEvents, RuntimePluginParameters runtimePluginParameters, UnitTestProviderConfiguration unitTestProviderConfiguration)
    {
        runtimePluginEvents.RegisterGlobalDependencies += (_, e) =>
            e.ObjectContainer.RegisterTypeAs<QualifyUnitTestRuntimeProvider, IUnitTestRuntimeProvider>("qualify");
        unitTestProviderConfiguration.UseUnitTestProvider("qualify");
        // The runner reports steps itself; Reqnroll's own step echo would clutter the output.
        runtimePluginEvents.CustomizeTestThreadDependencies += (_, e) => e.ObjectContainer.RegisterTypeAs<SilentTraceListener, ITraceListener>();
    }
}

/// <summary>A scenario was ignored or left inconclusive by a step.</summary>
public sealed class ScenarioSkippedException(string message) : Exception(message);

/// <summary>The runner's answers to Reqnroll's test-framework questions.</summary>
public sealed class QualifyUnitTestRuntimeProvider : IUnitTestRuntimeProvider
{
    /// <inheritdoc />
    public void TestPending(string message) => throw new Reqnroll.ErrorHandling.PendingScenarioException(message);
    /// <inheritdoc />
    public void TestInconclusive(string message) => throw new ScenarioSkippedException(message);
    /// <inheritdoc />
    public void TestIgnore(string message) => throw new ScenarioSkippedException(message);
    /// <inheritdoc />
    public ScenarioExecutionStatus? DetectExecutionStatus(Exception exception) => exception is ScenarioSkippedException ? ScenarioExecutionStatus.Skipped : null;
}

/// <summary>Swallows Reqnroll's trace output.</summary>
public sealed class SilentTraceListener : ITraceListener
{
    /// <inheritdoc />
    public void WriteTestOutput(string message) { }
    /// <inheritdoc />
    public void WriteToolOutput(string message) { }
}
