using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Stubs.Smrs;

namespace Qualification.Tests.Stubs;

/// <summary>SMRS validation of appointment requests at each rule's boundary, over real HTTP.</summary>
public class SmrsBoundaryTests
{
    private const string Mpan = "2300000000019";

    private static async Task<(string? Code, string Messages)> InitialResponse(CentralServices c)
    {
        var response = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        return (CentralServices.ResponseCode(response), CentralServices.Messages(response));
    }

    [TestCase(28, "A", null)]
    [TestCase(29, "R", "REG1099")]
    public async Task EffectiveFrom_AtMost28DaysAhead(int daysAhead, string code, string? reason)
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan, service: null);
        var efd = MarketTime.ToDip(MarketTime.StartOfDay(new LocalDate(2026, 1, 5).PlusDays(daysAhead)));
        Assert.That(await c.RequestAppointmentAsync(Mpan, efd), Is.EqualTo(201));
        var (actual, messages) = await InitialResponse(c);
        Assert.That(actual, Is.EqualTo(code), messages);
        if (reason is not null) Assert.That(messages, Does.StartWith(reason));
    }

    [TestCase("2026-02-01T00:00:00+00:00", "A", null)]
    [TestCase("2026-02-01T00:30:00+00:00", "R", "REG1032")]
    [TestCase("2026-01-31T23:00:00+00:00", "R", "REG1032")]      // BST-style midnight in winter is 23:00 the day before
    public async Task EffectiveFrom_MustBeLocalMidnight(string efd, string code, string? reason)
    {
        await using var c = new CentralServices("2026-01-15 09:00");
        c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(Mpan, efd);
        var (actual, messages) = await InitialResponse(c);
        Assert.That(actual, Is.EqualTo(code), messages);
        if (reason is not null) Assert.That(messages, Does.Contain(reason));
    }

    [TestCase("2026-07-01T00:00:00+01:00", "A")]
    [TestCase("2026-07-01T00:00:00+00:00", "R")]
    public async Task EffectiveFrom_InSummer_IsMidnightBritishSummerTime(string efd, string code)
    {
        await using var c = new CentralServices("2026-06-15 09:00");
        c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(Mpan, efd);
        Assert.That((await InitialResponse(c)).Code, Is.EqualTo(code));
    }

    [TestCase(0, "A")]
    [TestCase(-1, "R")]
    public async Task GainingSupplier_CannotAppointInThePast(int days, string code)
    {
        await using var c = new CentralServices("2026-01-10 09:00");
        var core = MpanCore.Parse(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        c.Smrs.AddRegistration(new SupplierRegistration("CSS-1", core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 9)));   // pending: gaining
        await c.RequestAppointmentAsync(Mpan, MarketTime.ToDip(MarketTime.StartOfDay(new LocalDate(2026, 1, 10).PlusDays(days))), scenario: "COS");
        var (actual, messages) = await InitialResponse(c);
        Assert.That(actual, Is.EqualTo(code), messages);
        if (code == "R") Assert.That(messages, Does.Contain("REG1034"));
    }

    [Test]
    public async Task UnknownMpan_IsRejectedWithReg0000()
    {
        await using var c = new CentralServices();
        await c.RequestAppointmentAsync("1412345678901", "2026-01-20T00:00:00+00:00");
        Assert.That((await InitialResponse(c)).Messages, Does.StartWith("REG0000"));
    }

    [Test]
    public async Task ServiceNotQualifiedForTheSegment_IsRejectedWithReg1031()
    {
        await using var c = new CentralServices();
        c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", service: CentralServices.OtherService, serviceMpid: CentralServices.OtherServiceMpid);
        Assert.That((await InitialResponse(c)).Messages, Does.Contain("REG1031"));
    }

    [Test]
    public async Task MpidNotMatchingTheDipId_IsRejectedWithReg1091()
    {
        await using var c = new CentralServices();
        c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", serviceMpid: "WXYZ");
        Assert.That((await InitialResponse(c)).Messages, Does.Contain("REG1091"));
    }

    [Test]
    public async Task AcceptedAppointment_IsOfferedToTheServiceAndConfirmedOnItsDate()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00");
        var offer = await c.AnswerOfferAsync(Mpan);
        Assert.That(offer.Text("CustomBlock", "B012", "serviceProviderAppointmentRequestingSupplierDIPID"), Is.EqualTo(CentralServices.Supplier));
        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppAccepted]");
        Assert.That(c.Publications("IF-036", CentralServices.Supplier), Is.Empty, "not active before its date");
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        var active = await c.PublicationAsync("IF-036", CentralServices.Supplier, "[MSAppActive]");
        Assert.That(active.Text("CustomBlock", "B014", "incomingMeteringServiceDIPID"), Is.EqualTo(CentralServices.Service));
        Assert.That(c.Smrs.AppointedMeteringService(Mpan, c.Clock.GetCurrentInstant())?.ServiceDipId, Is.EqualTo(CentralServices.Service));
    }
}

/// <summary>SMRS handling of meter technical details (IF-005 → IF-006) and reminders (IF-045).</summary>
public class SmrsMeterAndReminderTests
{
    private const string Mpan = "2300000000019";

    private static System.Text.Json.Nodes.JsonObject Removal(string date) => new()
    {
        ["B039"] = new System.Text.Json.Nodes.JsonObject { ["meterIDRemoved"] = "E21Z000001", ["meterRemovalDate"] = date },
    };

    [Test]
    public async Task MtdUpdate_FromTheAppointedService_IsPublishedToTheSupplier()
    {
        await using var c = new CentralServices();
        c.MeteringPoint(Mpan);
        Assert.That(await c.SendAsync("IF-005", "[MeterRemoval]", CentralServices.Service, DipRole.SmartMeteringService, Mpan, Removal("2026-01-05T08:00:00+00:00")), Is.EqualTo(201));
        var published = await c.PublicationAsync("IF-006", CentralServices.Supplier, "[MeterRemoval]");
        Assert.That(CentralServices.ResponseCode(published), Is.EqualTo("A"));
    }

    [Test]
    public async Task MtdUpdate_FromAnotherService_IsRejectedWithReg1012()
    {
        await using var c = new CentralServices();
        c.MeteringPoint(Mpan, service: "1200000099", serviceMpid: "INCM");
        await c.SendAsync("IF-005", "[MeterRemoval]", CentralServices.Service, DipRole.SmartMeteringService, Mpan, Removal("2026-01-05T08:00:00+00:00"));
        var rejection = await c.PublicationAsync("IF-006", CentralServices.Service, "[MeterRemoval]");
        Assert.That(CentralServices.ResponseCode(rejection), Is.EqualTo("R"));
        Assert.That(CentralServices.Messages(rejection), Does.StartWith("REG1012"));
        Assert.That(c.Publications("IF-006", CentralServices.Supplier), Is.Empty);
    }

    // The previous service's appointment ends on Thursday 2 April 2026; with Good Friday and Easter
    // Monday the 10th working day after is Monday 20 April, so corrections are accepted until the end of it.
    [TestCase("2026-04-20 23:00", "A")]
    [TestCase("2026-04-21 09:00", "R")]
    public async Task PreviousService_MayCorrectWithinTenWorkingDays(string when, string code)
    {
        await using var c = new CentralServices("2026-04-01 09:00");
        var core = MpanCore.Parse(Mpan);
        c.MeteringPoint(Mpan, service: null);
        var previous = new MeteringServiceAppointment("APP-P", core, CentralServices.Service, CentralServices.ServiceMpid, CentralServices.Supplier, CentralServices.SupplierMpid, "COS",
            MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Ended, EndedAt = MarketTime.ParseLocal("2026-04-02") };
        c.Smrs.AddAppointment(previous);
        c.Smrs.AddAppointment(new MeteringServiceAppointment("APP-N", core, "1200000099", "INCM", CentralServices.Supplier, CentralServices.SupplierMpid, "CSP",
            MarketTime.ParseDip("2026-04-02T00:00:00+01:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });
        c.Clock.Reset(MarketTime.ParseLocal(when));
        await c.SendAsync("IF-005", "[MeterRemoval]", CentralServices.Service, DipRole.SmartMeteringService, Mpan, Removal("2026-04-01T08:00:00+01:00"));
        var answer = await c.PublicationAsync("IF-006", CentralServices.Service, "[MeterRemoval]");
        Assert.That(CentralServices.ResponseCode(answer), Is.EqualTo(code), CentralServices.Messages(answer));
    }

    [Test]
    public async Task MissingAppointment_IsRemindedEverySevenDays_UntilAServiceIsAppointed()
    {
        await using var c = new CentralServices("2026-01-12 09:00");
        var core = MpanCore.Parse(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        var registration = new SupplierRegistration("CSS-9", core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20)) { Status = RegistrationStatus.Active };
        c.Smrs.AddRegistration(registration);
        c.Smrs.ScheduleMissingAppointmentReminders(registration);

        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-19 23:59"));
        Assert.That(c.Publications("IF-045", CentralServices.Supplier), Is.Empty, "no reminder before the effective date");
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        Assert.That(c.Publications("IF-045", CentralServices.Supplier, "[NoMSAppointed]"), Has.Count.EqualTo(1));
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-26 23:59"));
        Assert.That(c.Publications("IF-045", CentralServices.Supplier), Has.Count.EqualTo(1), "nothing between reminders");
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-27"));
        Assert.That(c.Publications("IF-045", CentralServices.Supplier), Has.Count.EqualTo(2), "again 7 days later");

        c.Smrs.AddAppointment(new MeteringServiceAppointment("APP-X", core, CentralServices.Service, CentralServices.ServiceMpid, CentralServices.Supplier, CentralServices.SupplierMpid,
            "CSP", MarketTime.ParseDip("2026-01-27T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-02-10"));
        Assert.That(c.Publications("IF-045", CentralServices.Supplier), Has.Count.EqualTo(2), "no reminder once a service is appointed");
    }

    [Test]
    public async Task WithdrawnSwitch_LapsesTheAcceptedAppointment()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        var registration = await c.AcceptedAppointmentOnPendingSwitchAsync(Mpan, new LocalDate(2026, 1, 20));
        c.Css.Withdraw(registration);
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppLapsed]");
        Assert.That(c.Publications("IF-036", CentralServices.Supplier), Is.Empty);
    }
}
