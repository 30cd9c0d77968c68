using System.Net;
using Qualification.Domain;
using Qualification.ReferenceParticipants;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>The reference participants' web portal over real HTTP on loopback: a page per driver action, and a form post that is the driver action.</summary>
public class PortalTests
{
    private static Task<ReferenceParticipant> StartAsync(string role) => ReferenceParticipant.StartAsync(new ParticipantOptions
    {
        Role = role, DipId = role == DipRole.Supplier ? "2300000088" : "1200000088", Mpid = "PORT",
        // Nothing listens there: the test is about the portal, not what the participant sends afterwards.
        DipUrl = new Uri($"http://127.0.0.1:{Qualify.FreePort()}"), CssUrl = new Uri($"http://127.0.0.1:{Qualify.FreePort()}"),
    });

    [TestCase(DipRole.Supplier)]
    [TestCase(DipRole.SmartMeteringService)]
    public async Task EveryDriverAction_HasAFormWithItsParametersAndTheMarketTime(string role)
    {
        await using var participant = await StartAsync(role);
        using var http = new HttpClient();
        var index = await http.GetStringAsync(participant.Url + "/portal");
        foreach (var action in ReferenceParticipant.DriverActions[role])
        {
            Assert.That(index, Does.Contain($"href=\"/portal/{action}\""));
            var page = await http.GetStringAsync($"{participant.Url}/portal/{action}");
            Assert.That(page, Does.Contain("id=\"marketTime\"").And.Contain("type=\"hidden\"").And.Contain("id=\"submit\""), action);
            foreach (var field in ReferenceParticipant.PortalFields[action]) Assert.That(page, Does.Contain($"id=\"{field}\""), $"{action}: {field}");
        }
        using var unknown = await http.GetAsync($"{participant.Url}/portal/no-such-action");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task PostingTheForm_AcceptsLikeTheDriverApi_AndRefusesWhatItRefuses()
    {
        await using var participant = await StartAsync(DipRole.Supplier);
        using var http = new HttpClient();
        FormUrlEncodedContent Form(string mpan, string marketTime) => new(new Dictionary<string, string>
        {
            ["marketTime"] = marketTime, ["mpan"] = mpan, ["distributorDipId"] = "2500000001", ["gspGroup"] = "_J",
            ["effectiveFrom"] = "2026-02-01T00:00:00+00:00", ["serviceDipId"] = "1200000015", ["serviceMpid"] = "REFM", ["scenario"] = "CSP",
        });
        using var accepted = await http.PostAsync($"{participant.Url}/portal/appoint-metering-service", Form("2300000000019", "2026-01-15T14:00:00+00:00"));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await accepted.Content.ReadAsStringAsync(), Does.Contain("Accepted: appoint-metering-service for 2300000000019"));
        Assert.That(participant.Log, Has.Some.Contains("portal: appoint-metering-service for 2300000000019"));

        using var badMpan = await http.PostAsync($"{participant.Url}/portal/appoint-metering-service", Form("2300000000018", "2026-01-15T14:00:00+00:00"));
        Assert.That(badMpan.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await badMpan.Content.ReadAsStringAsync(), Does.Contain("Refused: parameters.mpan"));

        using var noTime = await http.PostAsync($"{participant.Url}/portal/appoint-metering-service", Form("2300000000019", ""));
        Assert.That(noTime.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await noTime.Content.ReadAsStringAsync(), Does.Contain("marketTime must be a DIP datetime"));

        using var notForm = await http.PostAsync($"{participant.Url}/portal/appoint-metering-service", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(notForm.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }
}
