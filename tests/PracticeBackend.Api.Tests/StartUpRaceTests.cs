using System.Net;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>Two nodes of one practice start at the same moment on a fresh database, both told to create the first admin.</summary>
public sealed class StartUpRaceTests
{
    private const string AdminEmail = "admin@race.test";

    [Fact]
    public async Task TwoNodes_BothStartAndAreReady_AndCreateOneAdmin_WhenStartedTogetherOnAFreshDatabase()
    {
        var database = await TestPostgres.CreateDatabaseAsync("startrace");
        await using var first = new RacingNode(database);
        await using var second = new RacingNode(database);

        await Task.WhenAll(Task.Run(((IAsyncLifetime)first).InitializeAsync), Task.Run(((IAsyncLifetime)second).InitializeAsync));

        foreach (var node in new[] { first, second })
        {
            using var client = node.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        }

        Assert.Equal(1L, await AdminCountAsync(database));
    }

    private static async Task<long> AdminCountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT count(*) FROM "AspNetUsers" u
            JOIN "AspNetUserRoles" ur ON ur.user_id = u.id
            JOIN "AspNetRoles" r ON r.id = ur.role_id
            WHERE r.name = 'Admin'
            """, connection);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private sealed class RacingNode(string database) : PracticeAppFactory
    {
        protected override string? SharedDatabase => database;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            WithFirstAdmin(builder, AdminEmail, "maple river quartz teapot");
        }
    }
}
