using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs;
using Qualification.Stubs.Smrs;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>Steps that set the market scene: time, metering points, registrations.</summary>
[Binding]
public sealed class MarketSteps(ScenarioWorld world)
{
    /// <summary>Sets market time (London local).</summary>
    [Given(@"^the market time is (\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)$")]
    public void GivenTheMarketTimeIs(string when) => world.Harness.Clock.Reset(MarketTime.ParseLocal(when));

    /// <summary>Declares a metering point registered to the harness's losing supplier, with the incumbent metering service appointed.</summary>
    [Given(@"^an? (smart|advanced|unmetered) metering point (\S+) supplied by the losing supplier$")]
    public void GivenAMeteringPointSuppliedByTheLosingSupplier(string segment, string mpanText)
    {
        var mpan = Mpan(mpanText);
        var h = world.Harness;
        h.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = mpan, Segment = MarketSegments.Parse(segment) });
        h.Smrs.AddRegistration(new SupplierRegistration($"CSS-{mpan}-0000", mpan, HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid, new NodaTime.LocalDate(2020, 1, 1))
        {
            Status = RegistrationStatus.Active,
        });
        var since = MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value;
        h.Smrs.AddAppointment(new MeteringServiceAppointment($"APP-{mpan}-0", mpan, HarnessParties.IncumbentMeteringServiceDipId, HarnessParties.IncumbentMeteringServiceMpid,
            HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid, "COS", since, null, null, null) { Status = AppointmentStatus.Active });
    }

    /// <summary>Time travel to the start of a London day; central events due on the way fire in order.</summary>
    [When(@"^market time reaches (\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)$")]
    public void WhenMarketTimeReaches(string when) => world.Harness.Clock.AdvanceTo(MarketTime.ParseLocal(when));

    /// <summary>Time travel by a number of days or working days.</summary>
    [When(@"^(\d+) (days|working days|minutes|hours) pass$")]
    public void WhenTimePasses(int count, string unit)
    {
        var clock = world.Harness.Clock;
        var now = clock.GetCurrentInstant();
        var target = unit switch
        {
            "days" => now + NodaTime.Duration.FromDays(count),
            "hours" => now + NodaTime.Duration.FromHours(count),
            "minutes" => now + NodaTime.Duration.FromMinutes(count),
            _ => world.Harness.Options.Calendar.AddWorkingDays(MarketTime.LocalDateOf(now), count).At(now.InZone(MarketTime.London).TimeOfDay).InZoneLeniently(MarketTime.London).ToInstant(),
        };
        clock.AdvanceTo(target);
    }

    internal static MpanCore Mpan(string text) =>
        MpanCore.TryParse(text, out var mpan) ? mpan : throw new Composition.InputException($"Step argument '{text}': {MpanCore.Problem(text)}.");
}
