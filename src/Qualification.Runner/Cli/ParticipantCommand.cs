using Qualification.ReferenceParticipants;
using Qualification.Runner.Composition;
using Qualification.Stubs;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify participant</c>: runs one reference participant on its own, as an outside system
/// would run, configured only by URLs and ids (useful as a template and to rehearse a profile).
/// </summary>
public static class ParticipantCommand
{
    /// <summary>Starts the participant and waits for Ctrl-C (or <paramref name="cancellation"/>).</summary>
    public static async Task<int> ExecuteAsync(string role, string dipId, string mpid, string listen, string dipUrl, string? cssUrl, string? dtnUrl, string? apiKey,
        IReadOnlyList<string> faults, TextWriter output, CancellationToken cancellation)
    {
        ParticipantFaults parsed;
        try { parsed = ParticipantFaults.Parse(faults); }
        catch (FormatException e) { throw new InputException(e.Message); }
        await using var participant = await ReferenceParticipant.StartAsync(new ParticipantOptions
        {
            Role = role, DipId = dipId, Mpid = mpid, ListenUrl = listen, DipUrl = new Uri(dipUrl), CssUrl = cssUrl is null ? null : new Uri(cssUrl), DtnUrl = dtnUrl is null ? null : new Uri(dtnUrl),
            // Run against the harness, a supplier whose proposal is rejected turns to the harness's other metering service.
            FallbackMeteringServiceDipId = HarnessParties.GainingMeteringServiceDipId, FallbackMeteringServiceMpid = HarnessParties.GainingMeteringServiceMpid,
            ApiKey = apiKey, Faults = parsed,
        });
        output.WriteLine($"reference {role} {mpid} ({dipId}) listening; DIP webhook {participant.CallbackUrl}");
        output.Flush();
        try { await Task.Delay(Timeout.Infinite, cancellation); }
        catch (TaskCanceledException) { }
        return 0;
    }
}
