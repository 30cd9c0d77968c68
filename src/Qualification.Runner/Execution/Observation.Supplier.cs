using System.Globalization;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Dtn.Definitions;
using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;
using Qualification.Rules.Facts;

namespace Qualification.Runner.Execution;

// Facts for the supplier's own obligations: completed switches (CSS), D0010 meter readings a
// participant sent (DTN gateway), replayed DIP deliveries, and the Supply Numbers it printed (driver).
public static partial class Observation
{
    /// <summary>Switches, meter readings, replays and Supply Numbers, as facts for the rules (each of its own type).</summary>
    public static IReadOnlyList<object> SupplierFacts(IEnumerable<JournalRecord> records)
    {
        var list = records as IReadOnlyList<JournalRecord> ?? records.ToList();
        var facts = new List<object>();
        facts.AddRange(Switches(list));
        facts.AddRange(MeterReadings(list));
        facts.AddRange(Replays(list));
        facts.AddRange(SupplyNumbers(list));
        return facts;
    }

    /// <summary>Switches CSS completed (the registration became active on its supply start date).</summary>
    public static IEnumerable<ObservedSwitch> Switches(IEnumerable<JournalRecord> records) =>
        records.Where(r => r.Kind == JournalKind.Css && r.Body.Text("status") == "Active" && r.Mpan is not null && r.To is not null
                           && LocalDatePattern.Iso.Parse(r.Body.Text("effectiveFromDate") ?? "").Success)
            .Select(r => new ObservedSwitch($"J{r.Sequence}", r.Scenario ?? "", r.Mpan!, r.To!, r.Body.Text("registrationId") ?? "",
                LocalDatePattern.Iso.Parse(r.Body.Text("effectiveFromDate")!).Value, ParseTime(r.MarketTime)));

    /// <summary>One fact per meter (026/028) of every D0010 a participant sent to the gateway.</summary>
    public static IEnumerable<ObservedMeterReading> MeterReadings(IEnumerable<JournalRecord> records)
    {
        foreach (var r in records.Where(r => r.Kind == JournalKind.Dtn && r.Body?["direction"]?.ToString() == "inbound" && r.From is not null
                                             && r.InterfaceId?.StartsWith("D0010", StringComparison.Ordinal) == true && r.RawBody?.StartsWith("ZHV", StringComparison.Ordinal) == true))
        {
            if (FlowCatalog.Default.Find(r.InterfaceId!) is not { } flow) continue;
            IReadOnlyList<DtnRecord> lines;
            try { lines = DtnReader.ReadAll(r.RawBody!); }
            catch (DtnReadException) { continue; }
            var role = r.From![..Math.Max(0, r.From!.IndexOf(':'))];
            var sender = r.From![(r.From!.IndexOf(':') + 1)..];
            // The gateway's findings on the registers read, by line: Smart reads must be of the total cumulative register.
            var cumulative = (r.Body?["findings"] as JsonArray ?? []).Where(f => f?["rule"]?.ToString() == DtnRules.D0010Cumulative)
                .Select(f => (Line: f?["line"]?.GetValue<long>() ?? 0, Message: f?["message"]?.ToString() ?? "")).ToList();
            string mpan = "";
            (string Meter, string Type, List<string> Registers, List<LocalDate?> Dates, List<string> Findings)? meter = null;
            var found = new List<ObservedMeterReading>();
            void Flush()
            {
                if (meter is { } m)
                    found.Add(new ObservedMeterReading($"J{r.Sequence}", r.Scenario ?? "", sender, role, mpan, m.Meter, m.Type, m.Registers, m.Dates, m.Findings, ParseTime(r.MarketTime))
                    {
                        SupplierAgreedSwitchRead = m.Type == FlowCatalog.Default.Overlay.SupplierAgreedSwitchReadType,
                    });
                meter = null;
            }
            foreach (var line in lines)
            {
                if (flow.Find(line.GroupId) is not { } group) continue;
                switch (line.GroupId)
                {
                    case "026":
                        Flush();
                        mpan = line.Text(group.IndexOf("J0003")) ?? "";
                        break;
                    case "028":
                        Flush();
                        meter = (line.Text(group.IndexOf("J0004")) ?? "", line.Text(group.IndexOf("J0171")) ?? "", [], [], []);
                        break;
                    case "030" when meter is { } m:
                        m.Registers.Add(line.Text(group.IndexOf("J0010")) ?? "");
                        m.Dates.Add(ReadingDate(line.Text(group.IndexOf("J0016"))));
                        m.Findings.AddRange(cumulative.Where(c => c.Line == line.LineNumber).Select(c => c.Message));
                        break;
                }
            }
            Flush();
            foreach (var f in found) yield return f;
        }
    }

    // J0016 DATETIME is yyyyMMddHHmmss in London time; the date is what a switch read is for.
    private static LocalDate? ReadingDate(string? text) =>
        text is { Length: >= 8 } && DateTime.TryParseExact(text[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? LocalDate.FromDateTime(d) : null;

    /// <summary>
    /// Publications delivered again as replays (replayIndicator true), each with the original delivery
    /// of the same transaction to the same recipient, when that reached it.
    /// </summary>
    public static IEnumerable<ObservedReplay> Replays(IEnumerable<JournalRecord> records)
    {
        var pushes = records.Where(r => r.Kind == JournalKind.Push && r.TransactionId is not null && r.To is not null
                                        && (r.Status is >= 200 and < 300 || r.Status is null && r.Url is null)).ToList();
        static bool IsReplay(JournalRecord r) =>
            (r.Body as JsonArray)?[0]?["payload"]?["CommonBlock"]?["D0"]?["replayIndicator"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        foreach (var replay in pushes.Where(IsReplay))
        {
            var original = pushes.FirstOrDefault(p => p.Sequence < replay.Sequence && p.TransactionId == replay.TransactionId && p.To == replay.To && !IsReplay(p));
            yield return new ObservedReplay($"J{replay.Sequence}", replay.Scenario ?? "", replay.InterfaceId ?? "", replay.EventCode, replay.Mpan ?? "", replay.To!,
                replay.TransactionId!, ParseTime(replay.MarketTime), original is null ? null : $"J{original.Sequence}", original is null ? null : ParseTime(original.MarketTime));
        }
    }

    /// <summary>Supply Numbers suppliers answered to the driver action <c>bill</c>, with the registration data the harness gave.</summary>
    public static IEnumerable<ObservedSupplyNumber> SupplyNumbers(IEnumerable<JournalRecord> records) =>
        records.Where(r => r.Kind == JournalKind.Driver && r.EventCode == "bill" && r.Status is >= 200 and < 300 && r.Mpan is not null)
            .Select(r => new ObservedSupplyNumber($"J{r.Sequence}", r.Scenario ?? "", r.Mpan!, r.To ?? "",
                r.Body.Text("parameters", "migrated") == "true",
                r.Body.Text("parameters", "profileClass"), r.Body.Text("parameters", "ssc"), r.Body.Text("parameters", "duosTariffId"), r.Body.Text("parameters", "llfc"),
                r.Body.Text("answer", "supplyNumber", "topLine"), r.Body.Text("answer", "supplyNumber", "bottomLine"), ParseTime(r.MarketTime)));
}
