using Qualification.Runner.Composition;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>The profile's drive, portal, prompt and image fields: read, defaulted, and refused with the field named.</summary>
public class ProfileDrivingTests
{
    private const string Head = """
        participant: { name: P, role: MSS, dipId: "1200000077", mpid: CMSS }
        endpoints: { callbackUrl: "http://127.0.0.1:9177/dip/inbound" }

        """;

    private static CandidateProfile Load(string yaml)
    {
        var path = Path.Combine(Qualify.TempDir("profile-driving"), "profile.yaml");
        File.WriteAllText(path, Head + yaml);
        return CandidateProfile.Load(path);
    }

    [Test]
    public void Defaults_EventsWithoutDriverUrl_NoImage()
    {
        var p = Load("");
        Assert.That(p.Drive, Is.EqualTo(DriveMode.Events));
        Assert.That(p.Image, Is.Null);
        Assert.That(p.Prompt.Timeout, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void BrowserPortal_IsRead()
    {
        var p = Load("""
            drive: browser
            image: qualify-test/mss:1
            portal:
              baseUrl: "http://127.0.0.1:9177"
              actions:
                install-meter:
                  path: /works/new
                  fields: { mpan: "input[name=mpan]", marketTime: "#when" }
                  submit: "text=Save"
                  success: "Works order saved"
            """);
        Assert.That(p.Drive, Is.EqualTo(DriveMode.Browser));
        Assert.That(p.Image, Is.EqualTo("qualify-test/mss:1"));
        var page = p.Portal!.Actions["install-meter"];
        Assert.That(page.Path, Is.EqualTo("/works/new"));
        Assert.That(page.Fields["mpan"], Is.EqualTo("input[name=mpan]"));
        Assert.That(page.Submit, Is.EqualTo("text=Save"));
        Assert.That(page.Success, Is.EqualTo("Works order saved"));
    }

    [Test]
    public void Prompt_IsRead()
    {
        var p = Load("drive: prompt\nprompt: { port: 7499, timeoutSeconds: 45 }\n");
        Assert.That(p.Drive, Is.EqualTo(DriveMode.Prompt));
        Assert.That(p.Prompt.Port, Is.EqualTo(7499));
        Assert.That(p.Prompt.Timeout, Is.EqualTo(TimeSpan.FromSeconds(45)));
    }

    [TestCase("drive: telepathy\n", "drive is 'telepathy'")]
    [TestCase("drive: browser\n", "drive is browser but there is no portal section")]
    [TestCase("drive: api\n", "drive is api but endpoints.driverUrl is not set")]
    [TestCase("portal: { baseUrl: \"ftp://x\", actions: { install-meter: { path: /p } } }\n", "portal.baseUrl")]
    [TestCase("portal: { baseUrl: \"http://127.0.0.1:1\", actions: { install-meter: { path: /p } } }\n", "portal.actions.install-meter.submit is required")]
    [TestCase("prompt: { port: 70000 }\n", "prompt.port 70000")]
    [TestCase("prompt: { timeoutSeconds: 0 }\n", "prompt.timeoutSeconds 0")]
    public void Mistakes_AreRefusedNamingTheField(string yaml, string expected)
    {
        var e = Assert.Throws<InputException>(() => Load(yaml))!;
        Assert.That(e.Message, Does.Contain(expected));
    }
}
