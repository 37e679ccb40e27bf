using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class SubmitIntakeTests(ApiFixture app)
{
    [Fact]
    public async Task Submit_Returns201WithLocationAndStoresEverything_WhenTheFormIsValid()
    {
        using var client = app.CreateClient();
        var form = IntakeForms.Valid();
        form["pace"] = "check-in-1-month";
        form["timeZone"] = "Europe/London";

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var intakeId = body.GetProperty("intakeId").GetGuid();
        Assert.Equal("submitted", body.GetProperty("status").GetString());
        Assert.Equal("check-in-1-month", body.GetProperty("pace").GetString());
        Assert.Equal($"/api/intake/{intakeId}", response.Headers.Location?.OriginalString);

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT r.status, r.pace, r.preferred_format, c.time_zone, c.pace, k.text_version, k.granted, k.source
            FROM intake_requests r JOIN clients c ON c.id = r.client_id
            JOIN consent_records k ON k.intake_request_id = r.id
            WHERE r.id = @id
            """, connection);
        query.Parameters.AddWithValue("id", intakeId);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("Submitted", row.GetString(0));
        Assert.Equal("CheckIn1Month", row.GetString(1));
        Assert.Equal("Either", row.GetString(2));
        Assert.Equal("Europe/London", row.GetString(3));
        Assert.Equal("CheckIn1Month", row.GetString(4));
        Assert.Equal("2026-11", row.GetString(5));
        Assert.True(row.GetBoolean(6));
        Assert.Equal("website-intake-form", row.GetString(7));
    }

    [Fact]
    public async Task Location_AnswersWithTheRequestStatus_AndNeverItsContents()
    {
        using var client = app.CreateClient();
        var form = IntakeForms.Valid();
        var created = await client.SendAsync(IntakeForms.Post(form));

        var response = await client.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"submitted\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("arm's length", text, StringComparison.Ordinal);
        Assert.DoesNotContain(form["email"]!.GetValue<string>(), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_UsesThePracticeDefaults_WhenOptionalAnswersAreLeftOut()
    {
        using var client = app.CreateClient();
        var form = new JsonObject
        {
            ["email"] = $"quiet.{Guid.NewGuid():N}@example.org",
            ["consent"] = new JsonObject { ["contact"] = true, ["version"] = "2026-11" },
        };

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        Assert.Equal("gentle", (await response.JsonAsync()).GetProperty("pace").GetString());
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT c.time_zone, r.preferred_format FROM intake_requests r JOIN clients c ON c.id = r.client_id WHERE r.id = @id", connection);
        query.Parameters.AddWithValue("id", intakeId);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("America/Chicago", row.GetString(0));
        Assert.Equal("Either", row.GetString(1));
    }

    [Fact]
    public async Task Submit_KeepsOneClient_WhenTheSamePersonWritesTwiceWithDifferentCase()
    {
        using var client = app.CreateClient();
        var email = $"Robin.{Guid.NewGuid():N}@Example.org";

        var first = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid(email)));
        var second = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid("  " + email.ToUpperInvariant() + " ")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(DISTINCT client_id) FROM intake_requests WHERE id = ANY(@ids)", connection);
        query.Parameters.AddWithValue("ids", new[]
        {
            (await first.JsonAsync()).GetProperty("intakeId").GetGuid(),
            (await second.JsonAsync()).GetProperty("intakeId").GetGuid(),
        });
        Assert.Equal(1L, await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Submit_FlagsTheRequestForAHuman_WhenTheMessageHasCrisisLanguage()
    {
        using var client = app.CreateClient();
        var form = IntakeForms.Valid();
        form["message"] = "Some nights I think everyone would be better off dead without me.";

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("better off", text, StringComparison.Ordinal);
        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        Assert.True(await NeedsPromptAttentionAsync(intakeId));
    }

    [Fact]
    public async Task Submit_DoesNotFlag_WhenTheMessageIsOrdinary()
    {
        using var client = app.CreateClient();

        var response = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()));

        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        Assert.False(await NeedsPromptAttentionAsync(intakeId));
    }

    [Fact]
    public async Task Submit_AcceptsFiftyDifferentPeopleAtOnce_AndStoresFiftyRequests()
    {
        using var client = app.CreateClient();
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => client.SendAsync(IntakeForms.Post(IntakeForms.Valid()))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.JsonAsync()).GetProperty("intakeId").GetGuid()));
        Assert.Equal(50, ids.Distinct().Count());
        Assert.Equal(before + 50, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
    }

    private async Task<bool> NeedsPromptAttentionAsync(Guid intakeId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT needs_prompt_attention FROM intake_requests WHERE id = @id", connection);
        query.Parameters.AddWithValue("id", intakeId);
        return (bool)(await query.ExecuteScalarAsync())!;
    }
}
