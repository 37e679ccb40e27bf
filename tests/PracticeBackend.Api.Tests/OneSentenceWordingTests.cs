using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace PracticeBackend.Api.Tests;

/// <summary>Each of the practice's own sentences is optional: one alone is checked like all four, and starts the app when calm.</summary>
public sealed class OneSentenceWordingTests
{
    [Fact]
    public async Task Host_Starts_WhenThePracticeWritesOnlyItsCheckInIntro()
    {
        await using var app = new OneSentenceWordingApp("A short note from us, whenever it suits you to read it.");
        await app.InitializeAsync();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Host_RefusesToStart_NamingTheToneGuard_WhenItsOnlySentencePushes()
    {
        var app = new OneSentenceWordingApp("Reply by Friday!!");
        try
        {
            var failure = await Record.ExceptionAsync(app.InitializeAsync);

            Assert.Contains("Practice:Email:Wording fails the tone guard", Assert.IsType<OptionsValidationException>(failure).Message, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}

public sealed class OneSentenceWordingApp(string checkInIntro) : PracticeAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Email:Wording:CheckInIntro", checkInIntro);
    }
}
