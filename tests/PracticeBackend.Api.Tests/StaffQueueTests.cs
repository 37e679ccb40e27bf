using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class StaffQueueTests(ApiFixture app)
{
    [Fact]
    public async Task Queue_PutsCrisisFlaggedRequestsFirst_ThenTheLongestWaiting()
    {
        using var admin = await app.SignInAsAdminAsync();
        var older = await app.SubmitIntakeAsync();
        var crisisForm = IntakeForms.Valid();
        crisisForm["message"] = "I keep thinking I want to die.";
        var crisis = await app.SubmitIntakeAsync(crisisForm);
        var newer = await app.SubmitIntakeAsync();

        var queue = await QueueAsync(admin);
        var ids = queue.Select(i => i.GetProperty("intakeId").GetGuid()).ToList();

        Assert.True(ids.IndexOf(crisis) < ids.IndexOf(older));
        Assert.True(ids.IndexOf(older) < ids.IndexOf(newer));
        var flags = queue.Select(i => i.GetProperty("needsPromptAttention").GetBoolean()).ToList();
        Assert.Equal(flags.OrderByDescending(f => f), flags);
        var waiting = queue.Where(i => !i.GetProperty("needsPromptAttention").GetBoolean())
            .Select(i => i.GetProperty("submittedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(waiting.Order(), waiting);
        Assert.All(queue, i => Assert.False(i.TryGetProperty("message", out _) || i.TryGetProperty("name", out _) || i.TryGetProperty("email", out _)));
    }

    [Fact]
    public async Task Detail_ShowsTheDecryptedRequestAndTimeline_AndRecordsTheRead()
    {
        using var admin = await app.SignInAsAdminAsync();
        var form = IntakeForms.Valid();
        form["name"] = "Robin";
        var intakeId = await app.SubmitIntakeAsync(form);
        var before = await AuditRowsAsync(intakeId, "intake.read");

        var response = await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var view = await response.JsonAsync();
        Assert.Equal("Robin", view.GetProperty("name").GetString());
        Assert.Equal(form["email"]!.GetValue<string>(), view.GetProperty("email").GetString());
        Assert.Equal(form["message"]!.GetValue<string>(), view.GetProperty("message").GetString());
        Assert.Equal("gentle", view.GetProperty("pace").GetString());
        Assert.Equal("open", view.GetProperty("contactStatus").GetString());
        Assert.Equal("submitted", view.GetProperty("timeline")[0].GetProperty("kind").GetString());
        Assert.Equal(before + 1, await AuditRowsAsync(intakeId, "intake.read"));
    }

    [Fact]
    public async Task Assign_GivesTheRequestToOneTherapist_WhoThenSeesOnlyTheirOwn()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Therapist A");
        var b = await app.AddTherapistAsync(admin, "Therapist B");
        var forA = await app.SubmitIntakeAsync();
        var forB = await app.SubmitIntakeAsync();
        var unassigned = await app.SubmitIntakeAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(forA, a.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(forB, b.Id)).StatusCode);

        var seenByA = await QueueIdsAsync(a.Client);
        Assert.Contains(forA, seenByA);
        Assert.DoesNotContain(forB, seenByA);
        Assert.DoesNotContain(unassigned, seenByA);
        var detail = await (await a.Client.GetAsync(new Uri($"/api/staff/intake/{forA}", UriKind.Relative))).JsonAsync();
        Assert.Equal("in-conversation", detail.GetProperty("status").GetString());
        Assert.Equal(a.Id, detail.GetProperty("assignedTherapistId").GetGuid());
        Assert.Equal("assigned", detail.GetProperty("timeline")[1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Close_EndsTheRequestWithItsReason_AndRefusesUnknownReasons()
    {
        using var admin = await app.SignInAsAdminAsync();
        var intakeId = await app.SubmitIntakeAsync();

        var unknown = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/close", new { reason = "bored" });
        var closed = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/close", new { reason = "referred-elsewhere" });
        var again = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/close", new { reason = "not-a-fit" });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var view = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync();
        Assert.Equal("closed", view.GetProperty("status").GetString());
        Assert.Equal("referred-elsewhere", view.GetProperty("closedReason").GetString());
    }

    [Theory]
    [InlineData("?page=2147483647", HttpStatusCode.OK)]
    [InlineData("?page=-5", HttpStatusCode.OK)]
    [InlineData("?page=abc", HttpStatusCode.BadRequest)]
    [InlineData("?status=lost", HttpStatusCode.BadRequest)]
    public async Task Queue_AnswersOddPagingWithoutA500(string query, HttpStatusCode expected)
    {
        using var admin = await app.SignInAsAdminAsync();

        var response = await admin.GetAsync(new Uri("/api/staff/intake" + query, UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Audit_IsAppendOnly_InTheDatabaseItself()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO audit_events (at, action, outcome) VALUES (now(), 'test.row', 'success')", connection))
        {
            await insert.ExecuteNonQueryAsync();
        }

        foreach (var sql in new[]
                 {
                     "UPDATE audit_events SET outcome = 'changed' WHERE action = 'test.row'",
                     "DELETE FROM audit_events WHERE action = 'test.row'",
                     "TRUNCATE audit_events",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuditLog_ListsWhoLookedAtARequest_ForAdminsOnly()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Audit Reader");
        var intakeId = await app.SubmitIntakeAsync();
        await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));

        var entries = await (await admin.GetAsync(new Uri($"/api/staff/audit?subject={intakeId}", UriKind.Relative))).JsonAsync();
        var asTherapist = await therapist.Client.GetAsync(new Uri($"/api/staff/audit?subject={intakeId}", UriKind.Relative));

        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("action").GetString() == "intake.read" && e.GetProperty("actorRole").GetString() == "Admin");
        Assert.Equal(HttpStatusCode.Forbidden, asTherapist.StatusCode);
    }

    private static async Task<List<Guid>> QueueIdsAsync(HttpClient staff) =>
        [.. (await QueueAsync(staff)).Select(i => i.GetProperty("intakeId").GetGuid())];

    /// <summary>Every page of the queue, in order.</summary>
    private static async Task<List<JsonElement>> QueueAsync(HttpClient staff)
    {
        var items = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var body = await (await staff.GetAsync(new Uri($"/api/staff/intake?page={page}", UriKind.Relative))).JsonAsync();
            var batch = body.GetProperty("items").EnumerateArray().ToList();
            items.AddRange(batch);
            if (items.Count >= body.GetProperty("total").GetInt32() || batch.Count == 0)
            {
                return items;
            }
        }
    }

    private async Task<long> AuditRowsAsync(Guid subject, string action)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE subject_id = @s AND action = @a", connection);
        query.Parameters.AddWithValue("s", subject);
        query.Parameters.AddWithValue("a", action);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
