using static PracticeBackend.Api.Tests.Exceptions;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>A staff account opens health information: its password must not be one that is guessed early.</summary>
[Collection(Api.Name)]
public sealed class PasswordStrengthTests(ApiFixture app)
{
    [Theory]
    [InlineData("password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData(null)]
    public async Task AcceptInvitation_Answers400NamingPassword_WhenThePasswordIsEasyToGuess(string? password)
    {
        using var admin = await app.SignInAsAdminAsync();
        var (email, token) = await admin.InviteAsync("Admin");
        using var anonymous = app.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password = password ?? email });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("password", out var messages), $"errors should name 'password': {errors}");
        var message = messages[0].GetString()!;
        Assert.Contains("easy to guess", message, StringComparison.Ordinal);
        Assert.DoesNotContain(password ?? email, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AcceptInvitation_SetsThePassword_WhenItIsAStrongPassphrase()
    {
        using var admin = await app.SignInAsAdminAsync();
        var (email, token) = await admin.InviteAsync("Admin");
        using var anonymous = app.CreateClient();
        await anonymous.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password = "password1234" });

        var accepted = await anonymous.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password = "quiet lighthouse under copper rain" });

        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        using var signedIn = await app.SignInAsync(email, "quiet lighthouse under copper rain");
    }
}

/// <summary>The first admin comes from the environment; a weak password there must stop start-up, not open the door.</summary>
public sealed class FirstAdminPasswordTests
{
    private const string WeakPassword = "qwertyuiop12";

    [Fact]
    public async Task StartUp_StopsWithAMessageNamingTheRule_WhenTheFirstAdminPasswordIsEasyToGuess()
    {
        await using var app = new WeakFirstAdminApp();

        var failure = await Assert.ThrowsAnyAsync<Exception>(((IAsyncLifetime)app).InitializeAsync);

        var messages = string.Join("\n", Chain(failure).Select(e => e.Message));
        Assert.Contains("PRACTICE_ADMIN_PASSWORD", messages, StringComparison.Ordinal);
        Assert.Contains("easy to guess", messages, StringComparison.Ordinal);
        Assert.DoesNotContain(WeakPassword, messages, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class WeakFirstAdminApp : PracticeAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            WithFirstAdmin(builder, "first.admin@weak.test", WeakPassword);
        }
    }
}
