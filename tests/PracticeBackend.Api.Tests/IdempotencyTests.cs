using System.Net;
using Npgsql;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>DESIGN invariant 1: a retry with the same Idempotency-Key returns the same result and creates nothing new.</summary>
[Collection(Api.Name)]
public sealed class IdempotencyTests(ApiFixture app)
{
    [Fact]
    public async Task Submit_ReturnsTheSameResponseAndStoresOnce_WhenTheSameKeyAndBodyComeAgain()
    {
        using var client = app.CreateClient();
        var key = Guid.NewGuid().ToString();
        var form = IntakeForms.Valid();

        var first = await client.SendAsync(IntakeForms.Post(form, key));
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");
        var again = await client.SendAsync(IntakeForms.Post(form, key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(before, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
        Assert.Equal(1, await ConsentRowsForAsync(first));
    }

    [Fact]
    public async Task Submit_Returns422AndChangesNothing_WhenTheKeyComesWithADifferentBody()
    {
        using var client = app.CreateClient();
        var key = Guid.NewGuid().ToString();
        var form = IntakeForms.Valid();
        var first = await client.SendAsync(IntakeForms.Post(form, key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var changed = IntakeForms.Valid();
        var response = await client.SendAsync(IntakeForms.Post(changed, key));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        Assert.Equal(before, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
    }

    [Fact]
    public async Task Submit_StoresOneRequest_WhenTwentyArriveInParallelWithOneKey()
    {
        using var client = app.CreateClient();
        var key = Guid.NewGuid().ToString();
        var form = IntakeForms.Valid();
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SendAsync(IntakeForms.Post(form, key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(before + 1, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
        Assert.Equal(1, await ConsentRowsForAsync(responses[0]));
    }

    [Fact]
    public async Task Submit_TreatsDifferentKeysAsDifferentRequests_EvenWithTheSameBody()
    {
        using var client = app.CreateClient();
        var form = IntakeForms.Valid();

        var first = await client.SendAsync(IntakeForms.Post(form, Guid.NewGuid().ToString()));
        var second = await client.SendAsync(IntakeForms.Post(form, Guid.NewGuid().ToString()));

        // Both are new requests: a 422 (no Location) for either would also make the Locations differ.
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual(first.Headers.Location, second.Headers.Location);
        var ids = new[] { await IntakeIdAsync(first), await IntakeIdAsync(second) };
        Assert.Equal(2, await StoredRequestsAsync(ids));
    }

    private static async Task<Guid> IntakeIdAsync(HttpResponseMessage response) =>
        (await response.JsonAsync()).GetProperty("intakeId").GetGuid();

    private async Task<long> StoredRequestsAsync(Guid[] intakeIds)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM intake_requests WHERE id = ANY(@ids)", connection);
        query.Parameters.AddWithValue("ids", intakeIds);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private async Task<long> ConsentRowsForAsync(HttpResponseMessage response)
    {
        var intakeId = await IntakeIdAsync(response);
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM consent_records WHERE intake_request_id = @id", connection);
        query.Parameters.AddWithValue("id", intakeId);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
