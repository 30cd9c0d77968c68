namespace Qualification.Stubs.Dip;

// Replays the harness starts itself: the DIP redelivers a publication it already made, exactly as a
// requeue would (the same egress item, the same transaction id, D0 replayIndicator true), so a
// scenario can check that a participant does not act on the same message twice.
public sealed partial class DipEmulator
{
    /// <summary>
    /// Redelivers the latest publication on <paramref name="channel"/> to <paramref name="recipient"/>
    /// (for <paramref name="mpan"/> when given) as a replay, journalled as a push with the note
    /// "replay: …". Returns the transaction id replayed and whether the replay was delivered, or null
    /// when the DIP holds no such publication.
    /// </summary>
    public async Task<(string TransactionId, bool Delivered)?> ReplayLatestAsync(string channel, string recipient, string? mpan = null)
    {
        Publication latest;
        lock (_publications)
            latest = _publications.LastOrDefault(p => p.Channel == channel && p.Recipient == recipient && (mpan is null || p.Mpan == mpan));
        if (!latest.Exists) return null;
        var track = _tracks.Find(t => t.Channel == channel && t.TransactionFor(recipient) == latest.TransactionId);
        var delivered = await DeliverAsync(Replayed(latest), recipient, channel, track, "replay");
        return (latest.TransactionId, delivered);
    }
}
