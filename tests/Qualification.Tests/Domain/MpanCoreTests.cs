using Qualification.Domain;

namespace Qualification.Tests.Domain;

public class MpanCoreTests
{
    [TestCase("1412345678901")]   // worked example: weighted sum 1354, mod 11 = 1
    [TestCase("2000056535971")]   // the DIP API description's own example
    [TestCase("1900012374324")]
    [TestCase("2300000000019")]
    public void Parse_ValidCore_Succeeds(string core) =>
        Assert.That(MpanCore.Parse(core).Value, Is.EqualTo(core));

    [TestCase("1412345678902", "check digit 2")]
    [TestCase("141234567890", "12 characters")]
    [TestCase("14123456789O1", "'O'")]
    [TestCase("", "empty")]
    public void Parse_InvalidCore_SaysWhy(string core, string expected)
    {
        var e = Assert.Throws<FormatException>(() => MpanCore.Parse(core));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void CheckDigit_OfWorkedExample_IsOne() =>
        Assert.That(MpanCore.CheckDigit("141234567890"), Is.EqualTo(1));

    [Test]
    public void FromFirst12_AlwaysParses()
    {
        var random = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            var first12 = string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('0' + random.Next(10))));
            var core = MpanCore.FromFirst12(first12);
            Assert.That(MpanCore.TryParse(core.Value, out _), Is.True, core.Value);
            // Changing the check digit must break it.
            var wrong = first12 + (char)('0' + (core.Value[12] - '0' + 1) % 10);
            Assert.That(MpanCore.TryParse(wrong, out _), Is.False, wrong);
        }
    }
}
