using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class SignInTests(ApiFixture app)
{
    [Fact]
    public async Task StaffEndpoints_Answer401_WithoutSignIn()
    {
        using var anonymous = app.CreateClient();

        var response = await anonymous.GetAsync(new Uri("/api/staff/intake", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_GivesAnHttpOnlyStrictCookie_AndOpensTheQueue_ForTheFirstAdmin()
    {
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/login", new { email = ApiFixture.AdminEmail, password = ApiFixture.AdminPassword });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Admin", (await response.JsonAsync()).GetProperty("role").GetString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("practice.staff=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/staff/intake", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task SignIn_RefusesAlike_WhetherTheEmailOrThePasswordIsWrong()
    {
        using var client = app.CreateClient();

        var unknownEmail = await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@practice.test", password = ApiFixture.AdminPassword });
        var wrongPassword = await client.PostAsJsonAsync("/api/auth/login", new { email = ApiFixture.AdminEmail, password = "not the password at all" });

        Assert.Equal(HttpStatusCode.Unauthorized, unknownEmail.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal("application/problem+json", unknownEmail.Content.Headers.ContentType?.MediaType);
        var a = await unknownEmail.JsonAsync();
        var b = await wrongPassword.JsonAsync();
        Assert.Equal(a.GetProperty("title").GetString(), b.GetProperty("title").GetString());
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SignIn_LocksTheAccount_AfterFiveFailures_EvenForTheRightPassword()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Lock Test");
        using var client = app.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            await client.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = "wrong password " + i });
        }

        var right = await client.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = therapist.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.True(await AuditCountAsync("auth.locked-out") > 0);
        Assert.True(await AuditCountAsync("auth.sign-in-failed") >= 4);
    }

    [Fact]
    public async Task SignOut_EndsTheSessionOnTheServer_SoTheOldCookieNoLongerWorks()
    {
        using var admin = app.CreateClient(new() { HandleCookies = false, BaseAddress = app.ClientOptions.BaseAddress });
        var login = await admin.PostAsJsonAsync("/api/auth/login", new { email = ApiFixture.AdminEmail, password = ApiFixture.AdminPassword });
        var cookie = login.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("practice.staff=", StringComparison.Ordinal)).Split(';')[0];

        Assert.Equal(HttpStatusCode.OK, (await Send(admin, HttpMethod.Get, "/api/staff/intake", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(admin, HttpMethod.Post, "/api/auth/logout", cookie)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(admin, HttpMethod.Get, "/api/staff/intake", cookie)).StatusCode);
    }

    [Fact]
    public async Task TwoFactor_OnceEnabled_SignInNeedsTheCodeFromTheApp()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Totp Test");
        var setup = await therapist.Client.PostAsync(new Uri("/api/auth/2fa/setup", UriKind.Relative), null);
        var key = (await setup.JsonAsync()).GetProperty("sharedKey").GetString()!;
        var enabled = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/enable", new { code = StaffClients.Totp(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);

        using var client = app.CreateClient();
        var withoutCode = await client.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = therapist.Password });
        var wrongCode = await client.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = therapist.Password, twoFactorCode = "000000" });
        // The code that enabled two-factor is spent; the app's next one signs in.
        var withCode = await client.PostAsJsonAsync("/api/auth/login", new
        {
            email = therapist.Email,
            password = therapist.Password,
            twoFactorCode = StaffClients.Totp(key, DateTimeOffset.UtcNow.AddSeconds(30)),
        });

        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);
        Assert.True((await withoutCode.JsonAsync()).GetProperty("twoFactorRequired").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
    }

    [Fact]
    public async Task Registration_DoesNotExist_ForThePublic()
    {
        using var anonymous = app.CreateClient();

        var register = await anonymous.PostAsJsonAsync("/api/auth/register", new { email = "me@example.org", password = "a long enough passphrase" });
        var invite = await anonymous.PostAsJsonAsync("/api/staff/users", new { email = "me@example.org", role = "Admin" });

        Assert.Equal(HttpStatusCode.NotFound, register.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, invite.StatusCode);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string cookie)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }

    private async Task<long> AuditCountAsync(string action)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE action = @action", connection);
        query.Parameters.AddWithValue("action", action);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
