using static PracticeBackend.Api.Tests.Exceptions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace PracticeBackend.Api.Tests;

/// <summary>DESIGN invariant 5 for the practice's own sentences: a host whose configured wording pushes does not start.</summary>
public sealed class StartupWordingTests
{
    [Fact]
    public async Task Host_RefusesToStart_NamingTheToneGuard_WhenThePracticesCheckInWordingPushes()
    {
        var failure = await Exceptions.StartFailureAsync(new WordingApp("Reply by Friday!!"));

        var refusal = Assert.IsType<OptionsValidationException>(failure.FirstOrDefault(e => e is OptionsValidationException));
        Assert.Contains("Practice:Email:Wording fails the tone guard", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_Starts_WhenThePracticesCheckInWordingIsCalm()
    {
        await using var app = new WordingApp("A short note from us, whenever it suits you to read it.");

        await app.InitializeAsync();

        using var client = app.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
    }
}

/// <summary>A practice that writes its own check-in intro (and, calmly, the other three sentences).</summary>
public sealed class WordingApp(string checkInIntro) : PracticeAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Email:Wording:AcknowledgementIntro", "Thank you for writing to us. Your message arrived safely.");
        builder.UseSetting("Practice:Email:Wording:CheckInIntro", checkInIntro);
        builder.UseSetting("Practice:Email:Wording:ClosingNoteIntro", "A short note to say we'll leave things here for now.");
        builder.UseSetting("Practice:Email:Wording:Signature", "With warm wishes,");
    }
}
