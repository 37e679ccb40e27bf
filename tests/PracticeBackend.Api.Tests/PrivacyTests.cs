using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Grains.Security;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>Export, erasure and retention: what a person can ask of us, and what we do unasked.</summary>
[Collection(Api.Name)]
public sealed class PrivacyTests(ApiFixture app)
{
    [Fact]
    public async Task Export_ContainsWhatWasSubmitted_AndIsAudited()
    {
        using var admin = await app.SignInAsAdminAsync();
        var marker = Guid.NewGuid().ToString("N")[..10];
        var form = Marked(marker);
        var intakeId = await app.SubmitIntakeAsync(form);
        var clientId = await ClientOfAsync(admin, intakeId);

        var response = await admin.GetAsync(new Uri($"/api/staff/clients/{clientId}/export", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var export = await response.JsonAsync();
        Assert.Equal($"Name{marker}", export.GetProperty("name").GetString());
        Assert.Equal(form["email"]!.GetValue<string>(), export.GetProperty("email").GetString());
        Assert.Equal("+1 555 0100", export.GetProperty("phone").GetString());
        var request = export.GetProperty("requests")[0];
        Assert.Equal(intakeId, request.GetProperty("intakeId").GetGuid());
        Assert.Equal($"Words {marker}", request.GetProperty("message").GetString());
        Assert.Equal("2026-11", export.GetProperty("consents")[0].GetProperty("textVersion").GetString());
        Assert.Equal("acknowledgement", export.GetProperty("messages")[0].GetProperty("kind").GetString());
        Assert.True(await AuditedAsync(clientId, "client.export"));
    }

    [Fact]
    public async Task Erase_LeavesNoPlaintextAndNoBlindIndexThatMapsBack()
    {
        using var admin = await app.SignInAsAdminAsync();
        var marker = Guid.NewGuid().ToString("N")[..10];
        var form = Marked(marker);
        var intakeId = await app.SubmitIntakeAsync(form);
        var clientId = await ClientOfAsync(admin, intakeId);
        var email = form["email"]!.GetValue<string>();
        var index = await app.Services.GetRequiredService<BlindIndex>().ForEmailAsync(EmailAddress.Normalize(email), CancellationToken.None);

        var erased = await admin.DeleteAsync(new Uri($"/api/staff/clients/{clientId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand(
                "SELECT count(*) FROM clients WHERE email_blind_index = @index OR (id = @id AND (name_sealed IS NOT NULL OR phone_sealed IS NOT NULL OR length(email_sealed) > 0))", connection);
            query.Parameters.AddWithValue("index", index);
            query.Parameters.AddWithValue("id", clientId);
            Assert.Equal(0L, await query.ExecuteScalarAsync());
            await using var messages = new NpgsqlCommand("SELECT count(*) FROM intake_requests WHERE client_id = @id AND message_sealed IS NOT NULL", connection);
            messages.Parameters.AddWithValue("id", clientId);
            Assert.Equal(0L, await messages.ExecuteScalarAsync());
        }

        var export = await (await admin.GetAsync(new Uri($"/api/staff/clients/{clientId}/export", UriKind.Relative))).JsonAsync();
        Assert.Equal(JsonValueKind.Null, export.GetProperty("email").ValueKind);
        Assert.Equal("closed", export.GetProperty("requests")[0].GetProperty("status").GetString());
        Assert.True(await AuditedAsync(clientId, "client.erase"));

        // Writing in again after erasure starts afresh: the old record is not found by the email.
        var again = await app.SubmitIntakeAsync(Marked(marker));
        Assert.NotEqual(clientId, await ClientOfAsync(admin, again));
    }

    [Fact]
    public async Task RetentionPurge_ErasesPeopleWhoseRequestsClosedLongAgo_AndNobodyElse()
    {
        using var admin = await app.SignInAsAdminAsync();
        var old = await app.SubmitIntakeAsync(Marked(Guid.NewGuid().ToString("N")[..10]));
        var recent = await app.SubmitIntakeAsync(Marked(Guid.NewGuid().ToString("N")[..10]));
        var open = await app.SubmitIntakeAsync(Marked(Guid.NewGuid().ToString("N")[..10]));
        foreach (var id in new[] { old, recent })
        {
            await admin.PostAsJsonAsync($"/api/staff/intake/{id}/close", new { reason = "no-response" });
        }

        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE intake_requests SET closed_at = now() - interval '181 days' WHERE id = @id", connection);
            age.Parameters.AddWithValue("id", old);
            await age.ExecuteNonQueryAsync();
        }

        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<RetentionPurgeJob>().RunAsync(CancellationToken.None);

        Assert.True(await IsErasedAsync(await ClientOfAsync(admin, old)));
        Assert.False(await IsErasedAsync(await ClientOfAsync(admin, recent)));
        Assert.False(await IsErasedAsync(await ClientOfAsync(admin, open)));
    }

    private static JsonObject Marked(string marker)
    {
        var form = IntakeForms.Valid($"privacy.{marker}@example.org");
        form["name"] = $"Name{marker}";
        form["phone"] = "+1 555 0100";
        form["message"] = $"Words {marker}";
        return form;
    }

    private static async Task<Guid> ClientOfAsync(HttpClient admin, Guid intakeId) =>
        (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();

    private async Task<bool> IsErasedAsync(Guid clientId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT erased_at IS NOT NULL FROM clients WHERE id = @id", connection);
        query.Parameters.AddWithValue("id", clientId);
        return (bool)(await query.ExecuteScalarAsync())!;
    }

    private async Task<bool> AuditedAsync(Guid subject, string action)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE subject_id = @s AND action = @a AND outcome = 'success'", connection);
        query.Parameters.AddWithValue("s", subject);
        query.Parameters.AddWithValue("a", action);
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }
}
