using NodaTime;
using Qualification.Domain.Market;

namespace Qualification.Tests.Domain;

public class MarketTimeTests
{
    [TestCase("2026-01-15T00:00:00+00:00", true)]    // GMT midnight
    [TestCase("2026-07-01T00:00:00+01:00", true)]    // BST midnight
    [TestCase("2026-07-01T00:00:00+00:00", false)]   // UTC midnight in summer is 01:00 local
    [TestCase("2026-01-15T00:30:00+00:00", false)]
    [TestCase("2026-03-29T00:00:00+00:00", true)]    // the 23-hour day starts at GMT midnight
    [TestCase("2026-10-25T00:00:00+01:00", true)]    // the 25-hour day starts at BST midnight
    public void IsLocalMidnight_FollowsLondonTime(string dip, bool expected) =>
        Assert.That(MarketTime.IsLocalMidnight(MarketTime.ParseDip(dip)!.Value), Is.EqualTo(expected));

    [Test]
    public void ToDip_WritesTheLondonOffset()
    {
        Assert.That(MarketTime.ToDip(MarketTime.StartOfDay(new LocalDate(2026, 7, 1))), Is.EqualTo("2026-07-01T00:00:00+01:00"));
        Assert.That(MarketTime.ToDip(MarketTime.StartOfDay(new LocalDate(2026, 1, 15))), Is.EqualTo("2026-01-15T00:00:00+00:00"));
    }

    [TestCase("2026-01-15T00:00:00Z")]
    [TestCase("2026-01-15T00:00:00.000+00:00")]
    [TestCase("2026-01-15")]
    public void ParseDip_RejectsOtherLayouts(string text) => Assert.That(MarketTime.ParseDip(text), Is.Null);

    [Test]
    public void ClockChangeDays_HaveTheirLength()
    {
        Duration Length(LocalDate d) => MarketTime.StartOfDay(d.PlusDays(1)) - MarketTime.StartOfDay(d);
        Assert.That(Length(new LocalDate(2026, 3, 29)), Is.EqualTo(Duration.FromHours(23)));
        Assert.That(Length(new LocalDate(2026, 10, 25)), Is.EqualTo(Duration.FromHours(25)));
    }
}

public class MarketClockTests
{
    [Test]
    public void ScaledTime_RunsFasterThanRealTime()
    {
        var real = TimeSpan.Zero;
        var clock = new MarketClock(Instant.FromUtc(2026, 1, 5, 9, 0), scale: 60, realElapsed: () => real);
        real = TimeSpan.FromSeconds(1);
        Assert.That(clock.GetCurrentInstant(), Is.EqualTo(Instant.FromUtc(2026, 1, 5, 9, 1)));
    }

    [Test]
    public void Advance_FiresDueEventsInOrder_AtTheirOwnTime()
    {
        var clock = new MarketClock(Instant.FromUtc(2026, 1, 5, 9, 0), realElapsed: () => TimeSpan.Zero);
        var seen = new List<(string, Instant)>();
        clock.Schedule(Instant.FromUtc(2026, 1, 7, 0, 0), "second", () => seen.Add(("second", clock.GetCurrentInstant())));
        clock.Schedule(Instant.FromUtc(2026, 1, 6, 0, 0), "first", () => seen.Add(("first", clock.GetCurrentInstant())));
        clock.Schedule(Instant.FromUtc(2026, 1, 20, 0, 0), "later", () => seen.Add(("later", clock.GetCurrentInstant())));
        clock.Advance(Duration.FromDays(3));
        Assert.That(seen, Is.EqualTo(new[] { ("first", Instant.FromUtc(2026, 1, 6, 0, 0)), ("second", Instant.FromUtc(2026, 1, 7, 0, 0)) }));
        Assert.That(clock.GetCurrentInstant(), Is.EqualTo(Instant.FromUtc(2026, 1, 8, 9, 0)));
        Assert.That(clock.Pending().Select(p => p.Name), Is.EqualTo(new[] { "later" }));
    }
}

public class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.Default;

    [Test]
    public void EasterAndChristmas2026_AreNotWorkingDays()
    {
        Assert.That(Calendar.IsWorkingDay(new LocalDate(2026, 4, 3)), Is.False);   // Good Friday
        Assert.That(Calendar.IsWorkingDay(new LocalDate(2026, 4, 6)), Is.False);   // Easter Monday
        Assert.That(Calendar.IsWorkingDay(new LocalDate(2026, 12, 28)), Is.False); // Boxing Day substitute
        Assert.That(Calendar.IsWorkingDay(new LocalDate(2026, 4, 7)), Is.True);
    }

    [Test]
    public void TenWorkingDays_OverEaster_SkipTheBankHolidays()
    {
        // Thursday 2 April 2026 + 10 working days: Good Friday, Easter Monday and two weekends do not count (7th is day 1, 20th is day 10).
        Assert.That(Calendar.AddWorkingDays(new LocalDate(2026, 4, 2), 10), Is.EqualTo(new LocalDate(2026, 4, 20)));
    }

    [Test]
    public void ThreeWorkingDayDeadline_EndsAtLocalMidnight()
    {
        // Works on Friday 2026-07-10 14:00 BST; 3 working days → end of Wednesday 15 July, i.e. 16 July 00:00 BST.
        var works = MarketTime.ParseLocal("2026-07-10 14:00");
        Assert.That(MarketTime.ToDip(Calendar.WorkingDayDeadline(works, 3)), Is.EqualTo("2026-07-16T00:00:00+01:00"));
    }

    [Test]
    public void BadFile_SaysWhereAndWhat()
    {
        var e = Assert.Throws<FormatException>(() => WorkingDayCalendar.FromGovUkJson("{\"england-and-wales\":{\"events\":[{\"date\":\"26/12/2026\"}]}}", "my.json"));
        Assert.That(e!.Message, Does.Contain("my.json").And.Contain("events[0].date").And.Contain("yyyy-MM-dd"));
    }
}
