using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace PracticeBackend.Api.Tests;

/// <summary>An authenticator code proves presence once; a session cookie alone never replaces the key.</summary>
[Collection(Api.Name)]
public sealed class TwoFactorTests(ApiFixture app)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoFactorCode_IsRefusedAndCountedAsAFailure_WhenUsedASecondTime()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Replay Test");
        var code = StaffClients.Totp(key, DateTimeOffset.UtcNow + Step);
        using var client = app.CreateClient();

        var first = await SignInAsync(client, therapist, code);
        var failuresBefore = await FailedSignInsAsync(therapist.Email);
        var second = await SignInAsync(client, therapist, code);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(failuresBefore + 1, await FailedSignInsAsync(therapist.Email));
    }

    [Fact]
    public async Task TwoFactorCode_FromBeforeTheLastUsedOne_IsRefused_ButTheNextCodeSignsIn()
    {
        // Enabling used the current step's code; an authenticator's previous code is older still.
        var (therapist, key) = await TherapistWithTwoFactorAsync("Fresh Code Test");
        using var client = app.CreateClient();

        var used = await SignInAsync(client, therapist, StaffClients.Totp(key, DateTimeOffset.UtcNow - Step));
        var fresh = await SignInAsync(client, therapist, StaffClients.Totp(key, DateTimeOffset.UtcNow + Step));

        Assert.Equal(HttpStatusCode.Unauthorized, used.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task TwoFactorCode_SignsInOnlyOnce_WhenSentSeveralTimesAtTheSameMoment()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Race Test");
        var code = StaffClients.Totp(key, DateTimeOffset.UtcNow + Step);
        var clients = Enumerable.Range(0, 4).Select(_ => app.CreateClient()).ToArray();

        var answers = await Task.WhenAll(clients.Select(c => SignInAsync(c, therapist, code)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task TwoFactorEnable_AcceptsTheFirstCodeOnlyOnce_WhenSentSeveralTimesAtTheSameMoment()
    {
        // The first code ever used has no record to update yet: the record is created, and only once.
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "First Code Race");
        var setup = await therapist.Client.PostAsync(new Uri("/api/auth/2fa/setup", UriKind.Relative), null);
        var key = (await setup.JsonAsync()).GetProperty("sharedKey").GetString()!;
        var code = StaffClients.Totp(key, DateTimeOffset.UtcNow);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            therapist.Client.PostAsJsonAsync("/api/auth/2fa/enable", new { code })));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.NoContent), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
    }

    [Fact]
    public async Task TwoFactorSetup_Answers400NamingCurrentPassword_AndKeepsTheKey_WhenTwoFactorIsOnAndNoProofIsGiven()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Rekey Without Proof");

        var response = await therapist.Client.PostAsync(new Uri("/api/auth/2fa/setup", UriKind.Relative), null);

        await AssertFieldProblemAsync(response, "currentPassword");
        await AssertKeyStillWorksAsync(therapist, key);
    }

    [Theory]
    [InlineData("currentPassword")]
    [InlineData("code")]
    public async Task TwoFactorSetup_Answers400NamingTheField_AndKeepsTheKey_WhenTheProofIsWrong(string field)
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Rekey Wrong " + field);
        object body = field == "code" ? new { code = "000000" } : new { currentPassword = "not my passphrase at all" };

        var response = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/setup", body);

        await AssertFieldProblemAsync(response, field);
        await AssertKeyStillWorksAsync(therapist, key);
    }

    [Fact]
    public async Task TwoFactorSetup_GivesANewKeyThatSignsIn_WhenTwoFactorIsOnAndTheCurrentPasswordIsGiven()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Rekey With Password");

        var response = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/setup", new { currentPassword = therapist.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newKey = (await response.JsonAsync()).GetProperty("sharedKey").GetString()!;
        Assert.NotEqual(key, newKey);
        var confirmed = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/enable", new { code = StaffClients.Totp(newKey, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, therapist, StaffClients.Totp(newKey, DateTimeOffset.UtcNow + Step))).StatusCode);
    }

    [Fact]
    public async Task AnAbandonedReKey_LeavesTheKeyInUseWorking()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Rekey Abandoned");

        var response = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/setup", new { currentPassword = therapist.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertKeyStillWorksAsync(therapist, key);
    }

    [Fact]
    public async Task TwoFactorSetup_GivesANewKey_WhenTwoFactorIsOnAndACurrentCodeIsGiven()
    {
        var (therapist, key) = await TherapistWithTwoFactorAsync("Rekey With Code");

        var response = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/setup", new { code = StaffClients.Totp(key, DateTimeOffset.UtcNow + Step) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(key, (await response.JsonAsync()).GetProperty("sharedKey").GetString());
    }

    private async Task<(Therapist Therapist, string Key)> TherapistWithTwoFactorAsync(string name)
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, name);
        var setup = await therapist.Client.PostAsync(new Uri("/api/auth/2fa/setup", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var key = (await setup.JsonAsync()).GetProperty("sharedKey").GetString()!;
        var enabled = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/enable", new { code = StaffClients.Totp(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        return (therapist, key);
    }

    private async Task AssertKeyStillWorksAsync(Therapist therapist, string key)
    {
        using var client = app.CreateClient();
        var signIn = await SignInAsync(client, therapist, StaffClients.Totp(key, DateTimeOffset.UtcNow + Step));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    private static async Task AssertFieldProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
        Assert.NotEqual(0, messages.GetArrayLength());
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, Therapist therapist, string code) =>
        client.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = therapist.Password, twoFactorCode = code });

    private async Task<int> FailedSignInsAsync(string email)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT access_failed_count FROM \"AspNetUsers\" WHERE normalized_email = @email", connection);
        query.Parameters.AddWithValue("email", email.ToUpperInvariant());
        return (int)(await query.ExecuteScalarAsync())!;
    }
}
