using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>A host behind a proxy on the test's own address: <c>Practice:Network:KnownProxies</c> lists loopback.</summary>
public sealed class BehindKnownProxyApp : PracticeAppFactory
{
    public const int SignInPerMinute = 2;
    public const string AdminEmail = "admin@proxy.test";
    public const string AdminPassword = "violet harbour lantern mosaic";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:RateLimits:SignInPerMinute", SignInPerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Network:KnownProxies:0", "127.0.0.1");
        builder.UseSetting("Practice:Network:KnownProxies:1", "::1");
        WithFirstAdmin(builder, AdminEmail, AdminPassword);
    }
}

public sealed class ForwardedHeadersTests(BehindKnownProxyApp app) : IClassFixture<BehindKnownProxyApp>
{
    [Fact]
    public async Task SignInLimit_CountsEachForwardedAddressApart_WhenTheCallerIsAKnownProxy()
    {
        using var client = app.CreateClient();

        var first = new List<HttpStatusCode>();
        for (var i = 0; i <= BehindKnownProxyApp.SignInPerMinute; i++)
        {
            first.Add((await client.SendAsync(RateLimitTests.ForwardedSignIn("198.51.100.7", "http"))).StatusCode);
        }

        var other = await client.SendAsync(RateLimitTests.ForwardedSignIn("198.51.100.8", "http"));

        Assert.Equal(HttpStatusCode.TooManyRequests, first[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task SessionCookie_IsSecure_WhenAKnownProxySaysTheBrowserUsedHttps()
    {
        using var client = app.CreateClient();

        var response = await client.SendAsync(RateLimitTests.ForwardedSignIn(
            "198.51.100.20", "https", BehindKnownProxyApp.AdminEmail, BehindKnownProxyApp.AdminPassword));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("practice.staff=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
