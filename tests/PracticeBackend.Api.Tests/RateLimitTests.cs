using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>A host of its own with low limits (the shared fixture sets limits out of reach, since all its tests come from one address).</summary>
public sealed class RateLimitedApp : PracticeAppFactory
{
    public const int IntakePerMinute = 3;
    public const int SignInPerMinute = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:RateLimits:IntakePerMinute", IntakePerMinute.ToString(CultureInfo.InvariantCulture));

        builder.UseSetting("Practice:RateLimits:SignInPerMinute", SignInPerMinute.ToString(CultureInfo.InvariantCulture));
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

    [Fact]
    public async Task SignIn_Answers429_WhenEachAttemptClaimsAnotherForwardedAddress()
    {
        // No proxy is configured, so X-Forwarded-For is whatever the caller wrote: it must not open new buckets.
        using var client = app.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimitedApp.SignInPerMinute; i++)
        {
            answers.Add((await client.SendAsync(ForwardedSignIn($"203.0.113.{i + 1}", "https"))).StatusCode);
        }

        Assert.All(answers[..RateLimitedApp.SignInPerMinute], status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
    }

    internal static HttpRequestMessage ForwardedSignIn(string forwardedFor, string forwardedProto, string email = "nobody@practice.test", string password = "not a password anyone has")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/login", UriKind.Relative))
        {
            Content = JsonContent.Create(new { email, password }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return request;
    }
}
