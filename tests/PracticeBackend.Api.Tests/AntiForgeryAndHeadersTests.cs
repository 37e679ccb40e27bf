using System.Net;
using System.Net.Http.Json;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class AntiForgeryAndHeadersTests(ApiFixture app)
{
    private const string OutboxSweepJobId = PracticeBackend.Api.Jobs.OutboxSweep.RecurringJobId;

    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task StaffChange_IsRefused_WhenTheBrowserSaysItCameFromAnotherSite(string header, string value)
    {
        using var admin = await app.SignInAsAdminAsync();
        var intakeId = await app.SubmitIntakeAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/staff/intake/{intakeId}/close", UriKind.Relative))
        {
            Content = JsonContent.Create(new { reason = "not-a-fit" }),
        };
        request.Headers.Add(header, value);

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var view = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync();
        Assert.Equal("submitted", view.GetProperty("status").GetString());
    }

    [Fact]
    public async Task StaffChange_IsAccepted_FromThePracticesOwnOrigin()
    {
        using var admin = await app.SignInAsAdminAsync();
        var intakeId = await app.SubmitIntakeAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/staff/intake/{intakeId}/close", UriKind.Relative))
        {
            Content = JsonContent.Create(new { reason = "not-a-fit" }),
        };
        request.Headers.Add("Origin", app.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(request)).StatusCode);
    }

    /// <summary>Under Referrer-Policy: no-referrer a browser's own form posts say "Origin: null"; only its "same-origin" lets one through.</summary>
    [Theory]
    [InlineData("same-origin", HttpStatusCode.NoContent)]
    [InlineData("cross-site", HttpStatusCode.Forbidden)]
    [InlineData("same-site", HttpStatusCode.Forbidden)]
    [InlineData("none", HttpStatusCode.Forbidden)]
    [InlineData("", HttpStatusCode.Forbidden)]
    public async Task StaffChange_WithANullOrigin_IsAcceptedOnlyWhenTheBrowserSaysSameOrigin(string site, HttpStatusCode expected)
    {
        using var admin = await app.SignInAsAdminAsync();
        var intakeId = await app.SubmitIntakeAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/staff/intake/{intakeId}/close", UriKind.Relative))
        {
            Content = JsonContent.Create(new { reason = "not-a-fit" }),
        };
        request.Headers.Add("Origin", "null");
        if (site.Length > 0)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }

        Assert.Equal(expected, (await admin.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("/hangfire/recurring/trigger")]
    [InlineData("/hangfire/jobs/enqueued/delete")]
    [InlineData("/orleans")]
    public async Task OperatorDashboardChange_IsRefused_WhenTheBrowserSaysItCameFromAnotherSite(string path)
    {
        using var admin = await app.SignInAsAdminAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("jobs[]", OutboxSweepJobId)]),
        };
        request.Headers.Add("Origin", "https://evil.example");

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OperatorDashboardChange_IsAccepted_FromThePracticesOwnOrigin()
    {
        using var admin = await app.SignInAsAdminAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/hangfire/recurring/trigger", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("jobs[]", OutboxSweepJobId)]),
        };
        request.Headers.Add("Origin", app.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority));

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/api/staff/intake")]
    [InlineData("/no/such/page")]
    public async Task Responses_DoNotNameTheServerSoftware(string path)
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.False(response.Headers.Contains("Server"), $"{path} answered with Server: {string.Join(", ", response.Headers.Server)}");
    }

    [Theory]
    [InlineData("/api/intake/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/staff/intake")]
    [InlineData("/health/live")]
    [InlineData("/intake")]
    [InlineData("/dashboard/sign-in")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(path.StartsWith("/dashboard", StringComparison.Ordinal) ? "same-origin" : "no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        if (path.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/orleans")]
    public async Task OperatorDashboards_AreForAdminsOnly(string path)
    {
        using var anonymous = app.CreateClient();
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Dashboard Check");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await therapist.Client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
    }
}
