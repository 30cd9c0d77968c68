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
    [StepExample("Given the market time is 2026-01-05 09:00")]
    [Given(@"^the market time is (\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)$")]
    public void GivenTheMarketTimeIs(string when) => world.Harness.Clock.Reset(MarketTime.ParseLocal(when));

    /// <summary>Declares a metering point registered to the harness's losing supplier, with the incumbent metering service appointed.</summary>
    [StepExample("Given a smart metering point 2300000000019 supplied by the losing supplier")]
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

    /// <summary>Declares a metering point registered to the supplier, with the metering service appointed (both long-standing).</summary>
    [StepExample("Given a smart metering point 2300000000019 supplied by the supplier with the metering service appointed")]
    [StepExample("Given a smart metering point 2300000000019 supplied by the supplier with the incumbent metering service appointed")]
    [Given(@"^an? (smart|advanced|unmetered) metering point (\S+) supplied by the supplier with the (metering service|incumbent metering service) appointed$")]
    public void GivenAMeteringPointWithTheMeteringServiceAppointed(string segment, string mpanText, string which)
    {
        var mpan = Mpan(mpanText);
        var h = world.Harness;
        h.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = mpan, Segment = MarketSegments.Parse(segment) });
        h.Smrs.AddRegistration(new SupplierRegistration($"CSS-{mpan}-0000", mpan, h.Supplier.DipId, h.Supplier.Mpid, new NodaTime.LocalDate(2020, 1, 1))
        {
            Status = RegistrationStatus.Active,
        });
        var since = MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value;
        var (serviceDipId, serviceMpid) = which == "metering service"
            ? (h.MeteringService.DipId, h.MeteringService.Mpid)
            : (HarnessParties.IncumbentMeteringServiceDipId, HarnessParties.IncumbentMeteringServiceMpid);
        h.Smrs.AddAppointment(new MeteringServiceAppointment($"APP-{mpan}-0", mpan, serviceDipId, serviceMpid,
            h.Supplier.DipId, h.Supplier.Mpid, "COS", since, null, null, null) { Status = AppointmentStatus.Active });
    }

    /// <summary>The supplier's registration takes effect on a date with no metering service appointed (SMRS will send IF-045 from then).</summary>
    [StepExample("Given the supplier is registered to 2000056535971 from 2026-01-20 with no metering service appointed")]
    [Given(@"^the supplier is registered to (\S+) from (\d{4}-\d{2}-\d{2}) with no metering service appointed$")]
    public void GivenTheSupplierIsRegisteredWithNoMeteringService(string mpanText, string date)
    {
        var mpan = Mpan(mpanText);
        var h = world.Harness;
        var registration = new SupplierRegistration($"CSS-{mpan}-0001", mpan, h.Supplier.DipId, h.Supplier.Mpid, NodaTime.Text.LocalDatePattern.Iso.Parse(date).GetValueOrThrow())
        {
            Status = RegistrationStatus.Active,
        };
        h.Smrs.AddRegistration(registration);
        h.Smrs.ScheduleMissingAppointmentReminders(registration);
    }

    /// <summary>Time travel to the start of a London day; central events due on the way fire in order.</summary>
    [StepExample("When market time reaches 2026-01-20")]
    [When(@"^market time reaches (\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)$")]
    public async Task WhenMarketTimeReaches(string when)
    {
        await world.Harness.SettleAsync();
        world.Harness.Clock.AdvanceTo(MarketTime.ParseLocal(when));
        await world.Harness.Driver.NotifyClockAsync();
    }

    /// <summary>Time travel by a number of days or working days.</summary>
    [StepExample("When 4 working days pass")]
    [StepExample("When 7 days pass")]
    [When(@"^(\d+) (days|working days|minutes|hours) pass$")]
    public async Task WhenTimePasses(int count, string unit)
    {
        await world.Harness.SettleAsync();
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
        await world.Harness.Driver.NotifyClockAsync();
    }

    internal static MpanCore Mpan(string text) =>
        MpanCore.TryParse(text, out var mpan) ? mpan : throw new Composition.InputException($"Step argument '{text}': {MpanCore.Problem(text)}.");
}
