using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Tests;

public sealed class ContactRulesTests
{
    [Theory]
    [InlineData("sam@example.org")]
    [InlineData("  Sam.Lee+therapy@Mail.Example.co.uk ")]
    [InlineData("o'brien@example.ie")]
    [InlineData("sam@mail-server.example.org")]
    [InlineData("sam@xn--bcher-kva.example")]
    [InlineData("sam@bücher.example")]
    [InlineData("sam@пример.рф")]
    [InlineData("sam@3com.com")]
    [InlineData("sam@example.co2")]
    public void EmailIsValid_AcceptsOrdinaryAddresses(string email) => Assert.True(EmailAddress.IsValid(email));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sam")]
    [InlineData("sam@")]
    [InlineData("@example.org")]
    [InlineData("sam@example")]
    [InlineData("sam@@example.org")]
    [InlineData("sam lee@example.org")]
    [InlineData("Sam <sam@example.org>")]
    [InlineData("sam@example..org")]
    public void EmailIsValid_RefusesWhatCannotBeWrittenTo(string? email) => Assert.False(EmailAddress.IsValid(email));

    [Theory]
    [InlineData("a@[127.0.0.1]")]
    [InlineData("a@[IPv6:::1]")]
    [InlineData("a@127.0.0.1")]
    [InlineData("a@example.123")]
    [InlineData("a@-example.org")]
    [InlineData("a@example-.org")]
    [InlineData("a@example.-org")]
    [InlineData("a@exa_mple.org")]
    [InlineData("a@exa!mple.org")]
    [InlineData("a@.example.org")]
    [InlineData("a@example.org.")]
    [InlineData("\"a\"@example.org")]
    [InlineData("\"a.b\"@example.org")]
    public void EmailIsValid_RefusesDomainsThatAreNotHostNames_AndQuotedLocalParts(string email) =>
        Assert.False(EmailAddress.IsValid(email));

    [Fact]
    public void EmailIsValid_RefusesADomainLabelLongerThan63Characters() =>
        Assert.False(EmailAddress.IsValid("a@" + new string('b', 64) + ".org"));

    [Fact]
    public void EmailIsValid_RefusesAddressesLongerThanSmtpAllows() =>
        Assert.False(EmailAddress.IsValid(new string('a', 250) + "@example.org"));

    [Fact]
    public void EmailNormalize_TrimsAndLowerCases_ButKeepsDotsAndTags() =>
        Assert.Equal("sam.lee+therapy@example.org", EmailAddress.Normalize("  Sam.Lee+Therapy@EXAMPLE.org "));

    [Theory]
    [InlineData("America/Chicago")]
    [InlineData("Europe/London")]
    [InlineData("Asia/Kolkata")]
    [InlineData("UTC")]
    public void IanaTimeZoneIsValid_AcceptsIanaIds(string id) => Assert.True(IanaTimeZone.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Central Standard Time")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("+02:00")]
    [InlineData("america/chicago")]
    public void IanaTimeZoneIsValid_RefusesEverythingElse(string? id) => Assert.False(IanaTimeZone.IsValid(id));

    [Fact]
    public void WireNames_RoundTripEveryPaceAndFormat()
    {
        foreach (var pace in Enum.GetValues<Pace>())
        {
            Assert.True(WireNames.TryParsePace(pace.ToWire(), out var parsed));
            Assert.Equal(pace, parsed);
        }

        foreach (var format in Enum.GetValues<PreferredFormat>())
        {
            Assert.True(WireNames.TryParseFormat(format.ToWire(), out var parsed));
            Assert.Equal(format, parsed);
        }
    }

    [Fact]
    public void WireNames_MatchTheWebsiteContract() =>
        Assert.Equal(
            ["when-ready", "gentle", "check-in-2-weeks", "check-in-1-month", "check-in-3-months"],
            WireNames.PaceNames);
}
