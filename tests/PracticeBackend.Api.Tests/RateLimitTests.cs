using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>A host of its own with a low intake limit (the shared fixture sets limits out of reach, since all its tests come from one address).</summary>
public sealed class RateLimitedApp : PracticeAppFactory
{
    public const int IntakePerMinute = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:RateLimits:IntakePerMinute", IntakePerMinute.ToString(CultureInfo.InvariantCulture));

        // Its answers are checked against the OpenAPI document too, which outside Development only admins may read.
        WithFirstAdmin(builder, "admin@ratelimits.test", "a long rate-limit passphrase");
    }
}

public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task Intake_Answers429WithRetryAfter_OnceAnAddressPassesItsLimit()
    {
        using var client = app.CreateClient();
        for (var i = 0; i < RateLimitedApp.IntakePerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()))).StatusCode);
        }

        var limited = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }
}
