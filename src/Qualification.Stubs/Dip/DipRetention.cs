using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qualification.Stubs.Dip;

// What the DIP keeps per message is kept with as few heap objects as it can: every retained object
// is copied by each ephemeral collection that finds it young, and with 1,000 messages a second those
// copies were the GC pauses behind the DIP's latency tail.

/// <summary>
/// One shared instance of each few-valued text the DIP retains (interface ids, event codes, DIP ids,
/// roles, stage and status words, schema versions), so 20,000 retained messages point at one string
/// each instead of holding 20,000 copies. Bounded: past <see cref="Capacity"/> distinct values a text
/// is kept as given, so a stream of unusual values cannot grow the table.
/// </summary>
internal static class SharedText
{
    /// <summary>Distinct values each table keeps.</summary>
    public const int Capacity = 4096;

    private static readonly ConcurrentDictionary<string, string> Texts = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte[]> JsonTexts = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string[]> Lists = new(StringComparer.Ordinal);

    /// <summary>The shared instance of <paramref name="value"/> (itself the first time).</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public static string? Of(string? value)
    {
        if (value is null) return null;
        if (Texts.TryGetValue(value, out var shared)) return shared;
        return Texts.Count < Capacity ? Texts.GetOrAdd(value, value) : value;
    }

    /// <summary>A JSON value's compact UTF-8 (as <see cref="Utf8JsonWriter"/> writes it), shared between equal values.</summary>
    public static byte[] Json(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer)) node.WriteTo(writer);
        var key = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (JsonTexts.TryGetValue(key, out var shared)) return shared;
        var bytes = buffer.WrittenSpan.ToArray();
        return JsonTexts.Count < Capacity ? JsonTexts.GetOrAdd(key, bytes) : bytes;
    }

    /// <summary>A copy of a recipient list, shared between equal lists (null items kept).</summary>
    public static string[] List(IReadOnlyList<string> items)
    {
        // A unit separator cannot appear in a DIP id, and a null item is written as a lone one-character marker.
        var key = string.Join('\u001f', items.Select(i => i is null ? "\u0000" : i));
        if (Lists.TryGetValue(key, out var shared)) return shared;
        var copy = items.Select(i => Of(i)).ToArray();
        return Lists.Count < Capacity ? Lists.GetOrAdd(key, copy) : copy;
    }
}

/// <summary>
/// The delivery-status tracks of the last <c>RetainedMessages</c> messages, by channel and sender
/// unique reference, oldest forgotten first. The order is a ring of the tracks themselves and the key
/// is the track's own two strings, so a message costs no key string, queue node or dictionary node.
/// </summary>
internal sealed class TrackStore(int capacity)
{
    private readonly Dictionary<(string Channel, string Reference), MessageTrack> _byKey = new();
    private readonly MessageTrack?[] _ring = new MessageTrack?[Math.Max(1, capacity)];
    private int _next;

    /// <summary>The track of a message, created on first sight (forgetting the oldest when full).</summary>
    public MessageTrack GetOrAdd(string channel, string reference)
    {
        lock (_byKey)
        {
            if (_byKey.TryGetValue((channel, reference), out var existing)) return existing;
            var fresh = new MessageTrack(channel, reference);
            if (_ring[_next] is { } oldest) _byKey.Remove((oldest.Channel, oldest.SenderUniqueReference));
            _ring[_next] = fresh;
            _next = (_next + 1) % _ring.Length;
            _byKey.Add((fresh.Channel, fresh.SenderUniqueReference), fresh);
            return fresh;
        }
    }

    /// <summary>The retained track of a message, if any.</summary>
    public bool TryGet(string channel, string reference, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessageTrack? track)
    {
        lock (_byKey) return _byKey.TryGetValue((channel, reference), out track);
    }

    /// <summary>The first retained track that matches, oldest first.</summary>
    public MessageTrack? Find(Func<MessageTrack, bool> match)
    {
        lock (_byKey)
        {
            for (var i = 0; i < _ring.Length; i++)
                if (_ring[(_next + i) % _ring.Length] is { } track && match(track)) return track;
            return null;
        }
    }
}

/// <summary>
/// The sender unique references one sender has had accepted, kept for ever (the DIP refuses a
/// duplicate however old), each as a 128-bit hash in one table with the parts of the transaction id
/// it was accepted as: no string or node per reference, so a long session's millions of references
/// are a few flat arrays the collector need not trace into.
/// </summary>
/// <remarks>
/// The hash is the first 128 bits of SHA-256 over the reference's UTF-16 code units. Two different
/// references share it with probability 2^-128 per pair; among 10^8 references (far beyond any
/// session) the chance that any two collide is about (10^8)^2 / 2^129 ≈ 1.5 × 10^-23, so a false
/// "duplicate" is not a practical concern. SHA-256 is in the base library (no package), and one
/// hash of a short reference is small beside a message's schema check.
/// </remarks>
internal sealed class SeenReferences
{
    private readonly Dictionary<UInt128, Accepted> _accepted = new();

    // The parts DipIds.TransactionId formats; channel and role are shared strings.
    private readonly record struct Accepted(string Channel, string Role, int DayNumber, long Sequence);

    /// <summary>
    /// Claims <paramref name="reference"/> for the transaction (channel, role, date, sequence);
    /// false, with the transaction id it was first accepted as, when the sender already used it.
    /// </summary>
    public bool TryClaim(string reference, string senderId, string channel, string role, DateOnly date, long sequence,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? acceptedAs)
    {
        var key = Hash(reference);
        lock (_accepted)
        {
            if (_accepted.TryGetValue(key, out var first))
            {
                acceptedAs = Qualification.Domain.Dip.DipIds.TransactionId(first.Channel, senderId, first.Role, DateOnly.FromDayNumber(first.DayNumber), first.Sequence);
                return false;
            }
            _accepted.Add(key, new Accepted(SharedText.Of(channel), SharedText.Of(role), date.DayNumber, sequence));
            acceptedAs = null;
            return true;
        }
    }

    /// <summary>How many references are held.</summary>
    public int Count { get { lock (_accepted) return _accepted.Count; } }

    private static UInt128 Hash(string reference)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(reference.AsSpan()), digest);
        return MemoryMarshal.Read<UInt128>(digest);
    }
}
