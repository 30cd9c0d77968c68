using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Qualification.Stubs.Dip;

/// <summary>Who a DIP participant is during a run, and where its publications go.</summary>
/// <param name="DipId">10-character DIP participant id.</param>
/// <param name="Role">DIP role id (SUP, MSS, …).</param>
/// <param name="Mpid">4-letter market participant id.</param>
/// <param name="Name">Display name.</param>
/// <param name="CallbackUrl">Webhook the DIP pushes publications to; null for parties the harness plays without a process.</param>
/// <param name="ApiKey">The X-API-Key it authenticates with; null when none is required.</param>
/// <param name="Segments">Market segments it is qualified for (metering and data services).</param>
public sealed record Participant(string DipId, string Role, string Mpid, string Name, Uri? CallbackUrl, string? ApiKey, IReadOnlySet<string> Segments)
{
    /// <summary>
    /// A party the harness runs itself (a reference participant): it may call the DIP unsigned even
    /// when the run requires signatures, since only the candidate is being qualified. A signature it
    /// does send is still verified.
    /// </summary>
    public bool SignatureExempt { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Role} {Mpid}, DIP id {DipId})";
}

/// <summary>The participants known to the emulated DIP during a run.</summary>
public sealed class ParticipantDirectory
{
    private readonly ConcurrentDictionary<string, Participant> _byDipId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Uri> _webhooks = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a participant.</summary>
    public void Add(Participant participant) => _byDipId[participant.DipId] = participant;

    /// <summary>The participant with that DIP id, if known.</summary>
    public Participant? Find(string? dipId) => dipId is not null && _byDipId.TryGetValue(dipId, out var p) ? p : null;

    /// <summary>The participant that authenticates with <paramref name="apiKey"/>.</summary>
    public Participant? FindByApiKey(string apiKey) => _byDipId.Values.FirstOrDefault(p => p.ApiKey == apiKey);

    /// <summary>Everyone.</summary>
    public IReadOnlyCollection<Participant> All => _byDipId.Values.ToList();

    /// <summary>Registers a webhook for a participant on one channel (pubconfig), overriding its default callback.</summary>
    public void SetWebhook(string channel, string dipId, Uri url) => _webhooks[channel + "|" + dipId] = url;

    /// <summary>Removes a channel webhook.</summary>
    public void RemoveWebhook(string channel, string dipId) => _webhooks.TryRemove(channel + "|" + dipId, out _);

    private readonly ConcurrentDictionary<string, List<X509Certificate2>> _signing = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a certificate <paramref name="dipId"/> signs with (as DIP onboarding does). Once a
    /// participant has one, calls signed with any other certificate are refused.
    /// </summary>
    public void PinSigningCertificate(string dipId, X509Certificate2 certificate)
    {
        var list = _signing.GetOrAdd(dipId, _ => []);
        lock (list) list.Add(certificate);
    }

    /// <summary>The signing certificates registered for a participant (empty when none).</summary>
    public IReadOnlyList<X509Certificate2> SigningCertificates(string dipId)
    {
        if (!_signing.TryGetValue(dipId, out var list)) return [];
        lock (list) return list.ToList();
    }

    /// <summary>Where to deliver a publication of <paramref name="channel"/> to <paramref name="dipId"/>.</summary>
    public Uri? CallbackFor(string channel, string dipId) =>
        _webhooks.TryGetValue(channel + "|" + dipId, out var u) ? u : Find(dipId)?.CallbackUrl;
}
