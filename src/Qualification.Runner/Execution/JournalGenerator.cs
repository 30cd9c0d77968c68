using System.Globalization;
using System.Text;
using NodaTime;
using Qualification.Domain.Market;

namespace Qualification.Runner.Execution;

/// <summary>
/// Makes DIP message journals for scale tests and benchmarks: N messages over M MPANs, one egress
/// item per line, in market-time order. Each MPAN lives through supplier-agent appointments
/// (IF-002 → IF-031 → IF-033 → IF-034, sometimes an IF-045 reminder) with a few deliberate faults
/// (late or missing answers, a UTC-midnight effective-from), so every verdict occurs. Seeded:
/// the same arguments give the same file. MPAN starts are spaced evenly in market time, so the
/// number of MPANs active at once does not grow with N (see docs/scaling.md).
/// </summary>
public static class JournalGenerator
{
    /// <summary>Candidate suppliers in generated journals.</summary>
    public static readonly string[] Suppliers = Enumerable.Range(501, 8).Select(i => "2300000" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    /// <summary>Candidate smart metering services in generated journals.</summary>
    public static readonly string[] Services = Enumerable.Range(501, 4).Select(i => "1200000" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private const string Regs = "1000000001";
    private static readonly Instant Start = MarketTime.ParseLocal("2026-01-05 09:00");
    private static readonly Duration Spacing = Duration.FromMinutes(2);

    private readonly record struct Event(Instant Time, long Order, string Line);

    /// <summary>Writes <paramref name="messages"/> messages over <paramref name="mpans"/> MPANs to <paramref name="path"/>.</summary>
    public static void Write(string path, long messages, long mpans, int seed = 1)
    {
        if (messages <= 0 || mpans <= 0) throw new ArgumentOutOfRangeException(nameof(messages), "messages and mpans must be positive");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var random = new Random(seed);
        var queue = new PriorityQueue<Event, (Instant, long)>();
        long order = 0, written = 0, planned = 0;
        var perMpan = Math.Max(1, (messages + mpans - 1) / mpans);
        for (long k = 0; k < mpans && planned < messages; k++)
        {
            var start = Start + Spacing * k + Duration.FromSeconds(random.Next(0, 60));
            while (queue.Count > 0 && queue.Peek().Time < start) { writer.WriteLine(queue.Dequeue().Line); written++; }
            var mpan = Mpan(k);
            var budget = (int)Math.Min(perMpan, messages - planned);
            foreach (var (time, line) in Story(random, mpan, start, budget))
            {
                queue.Enqueue(new Event(time, order, line), (time, order));
                order++;
                planned++;
            }
        }
        while (queue.Count > 0) { writer.WriteLine(queue.Dequeue().Line); written++; }
    }

    /// <summary>A 13-digit MPAN core with a valid check digit, distinct for each k.</summary>
    public static string Mpan(long k)
    {
        var body = "19" + (k % 10_000_000_000L).ToString("D10", CultureInfo.InvariantCulture);
        int[] primes = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];
        var sum = 0;
        for (var i = 0; i < 12; i++) sum += (body[i] - '0') * primes[i];
        return body + (sum % 11 % 10).ToString(CultureInfo.InvariantCulture);
    }

    private static IEnumerable<(Instant, string)> Story(Random random, string mpan, Instant start, int budget)
    {
        var t = start;
        var n = 0;
        var seq = 0;
        while (n < budget)
        {
            var supplier = Suppliers[random.Next(Suppliers.Length)];
            var service = Services[random.Next(Services.Length)];
            var roll = random.NextDouble();
            // IF-002 pending registration to the gaining supplier, or an IF-045 reminder.
            var reminder = roll < 0.1;
            var trigger = reminder ? ("IF-045", "[NoMSAppointed]") : ("IF-002", "[GainMPANInfo]");
            if (n++ < budget) yield return (t, Line(trigger.Item1, trigger.Item2, Regs, "REGS", supplier, "SUP", mpan, t, ++seq, null));
            // The supplier's IF-031: usually in time, sometimes late, rarely never.
            var fate = random.NextDouble();
            if (fate < 0.02) { t += Duration.FromDays(1); continue; }
            var answer = t + Duration.FromMinutes(fate < 0.05 ? 75 + random.Next(0, 30) : 2 + random.Next(0, 50));
            var effective = MarketTime.LocalDateOf(answer).PlusDays(5 + random.Next(0, 20));
            var efd = random.NextDouble() < 0.03 ? effective.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00+00:00" : MarketTime.ToDip(MarketTime.StartOfDay(effective));
            var b070 = $"\"B070\":{{\"proposedMeteringServiceDIPID\":\"{service}\",\"proposedMeteringServiceMPID\":\"MS{service[^2..]}\",\"proposedMeteringServiceDIPEffectiveFromDate\":\"{efd}\",\"contractReferenceMeteringService\":\"MS-CONTRACT-001\",\"appointmentScenario\":\"CSP\"}}";
            if (n++ < budget) yield return (answer, Line("IF-031", "[MSApp]", supplier, "SUP", Regs, "REGS", mpan, answer, ++seq, b070));
            // SMRS asks the metering service (IF-033), which answers (IF-034).
            var ask = answer + Duration.FromMinutes(2);
            var b012 = $"\"B012\":{{\"serviceProviderAppointmentRequestingSupplierDIPID\":\"{supplier}\",\"serviceProviderAppointmentRequestingSupplierMPID\":\"SU{supplier[^2..]}\"}}," + b070;
            if (n++ < budget) yield return (ask, Line("IF-033", "[MSAppSPRequest]", Regs, "REGS", service, "MSS", mpan, ask, ++seq, b012));
            var respond = random.NextDouble();
            if (respond >= 0.02)
            {
                var reply = ask + Duration.FromMinutes(respond < 0.05 ? 70 + random.Next(0, 30) : 1 + random.Next(0, 40));
                if (n++ < budget) yield return (reply, Line("IF-034", "[MSAppSPResponse]", service, "MSS", Regs, "REGS", mpan, reply, ++seq, "\"B020\":{\"appointmentResponseCode\":\"A\"}"));
            }
            t = ask + Duration.FromHours(18 + random.Next(0, 24));
        }
    }

    private static string Line(string iface, string eventCode, string sender, string senderRole, string recipient, string recipientRole, string mpan, Instant at, int seq, string? custom)
    {
        var time = MarketTime.ToDip(at);
        var date = MarketTime.LocalDateOf(at).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var tid = $"T-{iface}-{recipient}-{recipientRole}-{date}-{mpan[2..]}{seq:X4}";
        return "{\"payload\":{\"CommonBlock\":{"
            + $"\"S0\":{{\"interfaceID\":\"{iface}\",\"schemaVersion\":\"011\",\"eventCode\":\"{eventCode}\"}},"
            + $"\"S1\":{{\"environmentTag\":\"PROD\",\"subText\":null,\"senderUniqueReference\":\"S-{iface}-{sender}-{senderRole}-{date}-{mpan}{seq:X4}\",\"senderTimestamp\":\"{time}\",\"senderDIPID\":\"{sender}\",\"senderRoleID\":\"{senderRole}\",\"senderCorrelationID\":null,\"DIPConnectionProviderID\":null}},"
            + $"\"M0\":{{\"MPANCore\":\"{mpan}\",\"distributorDIPID\":\"2500000001\",\"GSPGroupID\":\"_J\"}},"
            + $"\"D0\":{{\"transactionID\":\"{tid}\",\"transactionTimestamp\":\"{time}\",\"publicationID\":\"PUB-{iface[3..]}\",\"initialCorrelationID\":null,\"replayIndicator\":false,\"serviceTicketURL\":null}}"
            + "},\"CustomBlock\":{" + (custom ?? "") + "}}}";
    }
}
