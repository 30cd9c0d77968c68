using System.Text.Json.Nodes;
using Gherkin.CucumberMessages;
using Gherkin.CucumberMessages.Pickles;
using Io.Cucumber.Messages.Types;
using Reqnroll.Formatters.RuntimeSupport;

namespace Qualification.Runner.Reporting;

/// <summary>
/// The Cucumber messages of one feature file (source, Gherkin document, pickles), built at run
/// time because there is no generator: without them Reqnroll's formatters write no pickles or
/// test cases. Pickles come out in document order, which is the order FeatureSuite numbers
/// scenarios (pickleIndex).
/// </summary>
public sealed class RuntimeFeatureMessages : IFeatureLevelCucumberMessages
{
    /// <summary>Builds the messages from the file's text and its parsed Gherkin AST.</summary>
    /// <param name="uri">The feature's path relative to the features folder.</param>
    /// <param name="text">The file's text.</param>
    /// <param name="document">The parsed document.</param>
    public RuntimeFeatureMessages(string uri, string text, Gherkin.Ast.GherkinDocument document)
    {
        try
        {
            var ids = new IncrementingIdGenerator();
            Source = new Source(uri, text, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN);
            GherkinDocument = new AstMessagesConverter(ids).ConvertGherkinDocumentToEventArgs(document, uri);
            Pickles = new PickleCompiler(ids).Compile(GherkinDocument);
            HasMessages = true;
        }
        catch (System.Exception e) when (e is not OutOfMemoryException)
        {
            // The Cucumber report is a by-product: a conversion problem must not stop a qualification run.
            Problem = e.Message;
        }
    }

    /// <inheritdoc />
    public bool HasMessages { get; }
    /// <inheritdoc />
    public GherkinDocument GherkinDocument { get; } = null!;
    /// <inheritdoc />
    public IEnumerable<Pickle> Pickles { get; } = [];
    /// <inheritdoc />
    public Source Source { get; } = null!;
    /// <summary>Why the messages could not be built, if they could not.</summary>
    public string? Problem { get; }
}

/// <summary>Points Reqnroll's built-in formatters at the run's folder.</summary>
public static class CucumberFormatters
{
    /// <summary>NDJSON file name in a run folder.</summary>
    public const string MessagesFile = "cucumber-messages.ndjson";
    /// <summary>HTML report file name in a run folder.</summary>
    public const string HtmlFile = "cucumber-report.html";

    /// <summary>
    /// Configures the message and HTML formatters through REQNROLL_FORMATTERS (read when
    /// Reqnroll's global container is built, i.e. before the first scenario), unless the user set it.
    /// </summary>
    public static void Configure(string resultsDir)
    {
        if (Environment.GetEnvironmentVariable("REQNROLL_FORMATTERS") is { Length: > 0 }) return;
        var config = new JsonObject
        {
            ["formatters"] = new JsonObject
            {
                ["message"] = new JsonObject { ["outputFilePath"] = Path.Combine(resultsDir, MessagesFile) },
                ["html"] = new JsonObject { ["outputFilePath"] = Path.Combine(resultsDir, HtmlFile) },
            },
        };
        Environment.SetEnvironmentVariable("REQNROLL_FORMATTERS", config.ToJsonString());
    }
}
