using System.Runtime.InteropServices;
using System.CommandLine;
using System.Globalization;
using Qualification.Runner.Cli;
using Qualification.Runner.Composition;

// qualify: the MHHS qualification harness's command line.
var root = new RootCommand("qualify: run MHHS qualification suites against a participant's system, with the harness playing DIP, SMRS and CSS.");

var candidate = new Option<string?>("--candidate") { Description = "Candidate profile (YAML). Without it, the built-in reference participants are qualified." };
var features = new Option<string>("--features") { Description = "Folder of .feature files and requirements.yaml.", DefaultValueFactory = _ => "features" };
var tags = new Option<string?>("--tags") { Description = "Cucumber tag expression selecting scenarios, e.g. \"@role:SUP and not @wip\"." };
var results = new Option<string?>("--results") { Description = "Output folder (default reports/<run-id>)." };
var timeScale = new Option<double>("--time-scale") { Description = "Market seconds per real second (600: a 60-minute SLA takes 6 s).", DefaultValueFactory = _ => 600 };
var minPassRate = new Option<double>("--min-pass-rate") { Description = "Gate: fraction of judged requirements that must pass (0–1).", DefaultValueFactory = _ => 1.0 };
var calendar = new Option<string?>("--calendar") { Description = "England & Wales bank holidays in GOV.UK bank-holidays.json layout." };
var referenceFault = new Option<string[]>("--reference-fault") { Description = "Make the reference supplier faulty (demonstrations and tests): late-appointment=3s, efd-utc-midnight, efd-half-past-midnight, ignore-reminders.", AllowMultipleArgumentsPerToken = false };
var mustPass = new Option<string[]>("--must-pass") { Description = "Gate: a requirement that must pass whatever the rate (repeatable).", AllowMultipleArgumentsPerToken = false };
var waivers = new Option<string?>("--waivers") { Description = "Gate: waiver file (YAML: requirement, reason, expires); waived failures show as WAIVED and never count as passed." };
var referenceServiceFault = new Option<string[]>("--reference-service-fault") { Description = "Make the reference metering service faulty: ignore-appointment-requests, mtd-delay-days=4, energisation-via-if005.", AllowMultipleArgumentsPerToken = false };

var run = new Command("run", "Run a qualification: scenarios, rules, evidence. Exit 0 gate passed, 1 requirement failed, 2 harness or input broken.")
{
    candidate, features, tags, results, timeScale, minPassRate, calendar, referenceFault, referenceServiceFault,
};
run.Options.Add(mustPass);
run.Options.Add(waivers);
// Sharded runs: a deterministic 1/n of the scenarios; `qualify merge` joins the shards.
var shard = new Option<string?>("--shard") { Description = "Run a deterministic share i/n of the scenarios (hash of the scenario id); join shards with `qualify merge`." };
run.Options.Add(shard);
// Candidates in containers: Testcontainers starts the candidate from a local image.
var candidateImage = new Option<string?>("--candidate-image") { Description = "Start the candidate (described by --candidate) from this container image, with host networking and QUALIFY_* environment variables." };
run.Options.Add(candidateImage);
// Ctrl-C (SIGINT) and SIGTERM stop a run at the next step boundary; it still writes its evidence,
// marked interrupted. A second signal is left to the runtime's default (terminate).
using var interrupt = new CancellationTokenSource();
PosixSignalRegistration? Interruptible(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
{
    if (interrupt.IsCancellationRequested) return;
    context.Cancel = true;
    Console.Error.WriteLine($"qualify: {signal} received; stopping after the current step and writing the evidence (signal again to abort).");
    interrupt.Cancel();
});
using var onInterrupt = Interruptible(PosixSignal.SIGINT);
using var onTerminate = Interruptible(PosixSignal.SIGTERM);

run.SetAction(async (parse, cancellation) => await Guarded(() => RunCommand.ExecuteAsync(new RunOptions
{
    CandidateFile = parse.GetValue(candidate), FeaturesDir = parse.GetValue(features)!, Tags = parse.GetValue(tags), ResultsDir = parse.GetValue(results),
    TimeScale = parse.GetValue(timeScale), MinPassRate = parse.GetValue(minPassRate), CalendarFile = parse.GetValue(calendar),
    SupplierFaults = parse.GetValue(referenceFault) ?? [], MeteringServiceFaults = parse.GetValue(referenceServiceFault) ?? [],
    MustPass = parse.GetValue(mustPass) ?? [], WaiversFile = parse.GetValue(waivers),
    Shard = parse.GetValue(shard) is { } shardText ? ParseShard(shardText) : null,
    CandidateImage = parse.GetValue(candidateImage),
}, Console.Out, CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token).Token)));

// Defaults come from the QUALIFY_* variables a harness gives a candidate container (README, "Candidates in containers").
static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
Option<string> Identity(string name, string description, string variable)
{
    // Required unless the container environment gives it (a default value would satisfy Required).
    var option = new Option<string>(name) { Description = $"{description} (default ${variable}).", Required = Env(variable) is null };
    if (Env(variable) is { } value) option.DefaultValueFactory = _ => value;
    return option;
}
var role = Identity("--role", "SUP or MSS", "QUALIFY_ROLE");
var dipId = Identity("--dip-id", "The participant's DIP id", "QUALIFY_DIP_ID");
var mpid = Identity("--mpid", "The participant's MPID", "QUALIFY_MPID");
var listen = new Option<string>("--listen") { Description = "Where its webhook listens (default http://127.0.0.1:$QUALIFY_CALLBACK_PORT, else :9101).", DefaultValueFactory = _ => "http://127.0.0.1:" + (Env("QUALIFY_CALLBACK_PORT") ?? "9101") };
var dipUrl = new Option<string>("--dip-url") { Description = "The DIP to send to (default $QUALIFY_DIP_URL).", DefaultValueFactory = _ => Env("QUALIFY_DIP_URL") ?? "http://127.0.0.1:7401" };
var cssUrl = new Option<string?>("--css-url") { Description = "The CSS to read registrations from (suppliers; default $QUALIFY_CSS_URL).", DefaultValueFactory = _ => Env("QUALIFY_CSS_URL") ?? "http://127.0.0.1:7402" };
var dtnUrl = new Option<string?>("--dtn-url") { Description = "The DTN gateway to send flow files to (metering services; default $QUALIFY_DTN_URL).", DefaultValueFactory = _ => Env("QUALIFY_DTN_URL") ?? "http://127.0.0.1:7403" };
var apiKey = new Option<string?>("--api-key") { Description = "X-API-Key to send (default $QUALIFY_API_KEY).", DefaultValueFactory = _ => Env("QUALIFY_API_KEY") };
var fault = new Option<string[]>("--fault") { Description = "Deliberate fault (repeatable), e.g. late-appointment=3s or ignore-appointment-requests; an unknown name lists them all." };
var participant = new Command("participant", "Run one reference participant as a stand-alone service (a template for a candidate, and a faulty one on request).")
{
    role, dipId, mpid, listen, dipUrl, cssUrl, dtnUrl, apiKey, fault,
};
participant.SetAction(async (parse, cancellation) => await Guarded(() => ParticipantCommand.ExecuteAsync(parse.GetValue(role)!, parse.GetValue(dipId)!, parse.GetValue(mpid)!,
    parse.GetValue(listen)!, parse.GetValue(dipUrl)!, parse.GetValue(cssUrl), parse.GetValue(dtnUrl), parse.GetValue(apiKey), parse.GetValue(fault) ?? [], Console.Out, cancellation)));

var lintFeatures = new Option<string>("--features") { Description = "Folder of .feature files and requirements.yaml.", DefaultValueFactory = _ => "features" };
var lint = new Command("lint", "Check feature files and the requirement catalogue: unknown steps (with the closest known), untagged scenarios, unknown requirement or interface ids, requirements without rule or scenario.")
{
    lintFeatures,
};
lint.SetAction(parse => LintCommand.Execute(parse.GetValue(lintFeatures)!, Console.Out));
var steps = new Command("steps", "List the step vocabulary with an example of each, for writing scenarios without reading C#.");
steps.SetAction(_ => StepsCommand.Execute(Console.Out));

root.Subcommands.Add(run);
root.Subcommands.Add(lint);
root.Subcommands.Add(steps);
root.Subcommands.Add(participant);
// DTN flow files.
root.Subcommands.Add(FlowCommand.Create());
// Reports and evidence for assessors.
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(EvidenceCommand.CreateEvidence());
root.Subcommands.Add(EvidenceCommand.CreateVerify());
// The emulators on their own, for a participant's own client.
root.Subcommands.Add(StubsCommand.Create());
// Offline evaluation, sharding and scale.
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(MergeCommand.Create());
root.Subcommands.Add(GenerateJournalCommand.Create());

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
// With no command, a newcomer gets a full run against the reference participants.
// Tag expressions start with '@', which System.CommandLine would otherwise read as a response file.
var parserConfiguration = new ParserConfiguration { ResponseFileTokenReplacer = null };
// Signals are handled above, so System.CommandLine must not tear the process down on its own.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args.Length == 0 ? ["run"] : args, parserConfiguration).InvokeAsync(invocation);

static async Task<int> Guarded(Func<Task<int>> action)
{
    try { return await action(); }
    catch (InputException e)
    {
        Console.Error.WriteLine("qualify: " + e.Message);
        return ExitCodes.Broken;
    }
    catch (Exception e) when (e is not OperationCanceledException)
    {
        // A harness fault: say so plainly; the journal written so far stays on disk.
        Console.Error.WriteLine($"qualify: harness fault, not a candidate failure: {e}");
        return ExitCodes.Broken;
    }
}

static Qualification.Runner.Execution.Shard ParseShard(string text)
{
    try { return Qualification.Runner.Execution.Shard.Parse(text); }
    catch (FormatException e) { throw new InputException(e.Message); }
}
