using System.Net;
using System.Text.Json;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class HostTests(ApiFixture app)
{
    [Fact]
    public async Task HealthReady_ReportsDatabaseAndSiloHealthy_WhenTheAppHasStarted()
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("silo").GetString());
    }

    [Fact]
    public async Task HealthLive_Answers200()
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
