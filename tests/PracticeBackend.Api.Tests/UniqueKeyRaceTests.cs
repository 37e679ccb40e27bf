using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Races the app handles by design (first-time submissions with one address racing for the one client
/// record) end well for everyone and are not reported as errors: operators read Error lines as "look now".
/// </summary>
[Collection(Api.Name)]
public sealed class UniqueKeyRaceTests(ApiFixture app)
{
    [Fact]
    public async Task TenFirstTimeSubmissionsWithOneAddress_AllSucceed_OneClient_AndNoErrorIsLogged()
    {
        var email = $"race.{Guid.NewGuid():N}@example.org";
        var mark = app.Logs.Count;
        using var client = app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            client.SendAsync(IntakeForms.Post(IntakeForms.Valid(email), i % 2 == 0 ? Guid.NewGuid().ToString() : null))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var index = await app.Services.GetRequiredService<Grains.Security.BlindIndex>()
            .ForEmailAsync(Domain.Contacts.EmailAddress.Normalize(email), CancellationToken.None);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM clients WHERE email_blind_index = @index", index));
        Assert.Equal(10L, await CountAsync("SELECT count(*) FROM intake_requests r JOIN clients c ON c.id = r.client_id WHERE c.email_blind_index = @index", index));
        var errors = app.Logs.Since(mark).Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, "logged as errors:\n" + string.Join("\n", errors));
    }

    private async Task<long> CountAsync(string sql, byte[] index)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("index", index);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
