using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The public scheduling links with tokens that name nothing, tokens of the wrong size, bodies that are not
/// what the link takes: each gets a calm 4xx (the "link isn't active" page, or problem+json naming the
/// field), never a 500, and nothing about anyone.
/// </summary>
[Collection(Api.Name)]
public sealed class SchedulingLinkBadInputTests(ApiFixture app)
{
    public static TheoryData<string> Tokens() => ["x", new string('a', 43), new string('%', 30), new string('a', 500), "..%2F..%2Fetc"];

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task ATokenThatNamesNothing_IsACalm404_OnEveryScheduleLink(string token)
    {
        using var client = app.CreateClient();
        var escaped = Uri.EscapeDataString(token);

        foreach (var path in new[] { $"/offers/{escaped}", $"/sessions/{escaped}", $"/api/offers/{escaped}", $"/calendar/{escaped}.ics" })
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        foreach (var path in new[] { $"/offers/{escaped}", $"/sessions/{escaped}" })
        {
            var posted = await client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent([new("action", "pick"), new("start", "not a time")]));
            Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        }

        var accept = await client.PostAsJsonAsync($"/api/offers/{escaped}/accept", new { start = "2027-03-15T09:00:00-05:00" });
        Assert.Equal(HttpStatusCode.NotFound, accept.StatusCode);
        Assert.Equal("application/problem+json", accept.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ABodyThatIsNotWhatTheLinkTakes_IsA400NamingTheField()
    {
        using var client = app.CreateClient();
        var token = new string('b', 43);

        var noStart = await client.PostAsJsonAsync($"/api/offers/{token}/accept", new { start = "tomorrow at ten" });
        Assert.Equal(HttpStatusCode.BadRequest, noStart.StatusCode);
        Assert.Equal(["start"], (await noStart.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));

        var reason = await client.PostAsJsonAsync($"/api/offers/{token}/decline", new { reason = "I'd rather talk on the phone", usually = new[] { "sunday-night" } });
        Assert.Equal(HttpStatusCode.BadRequest, reason.StatusCode);
        Assert.Equal(["reason", "usually"], (await reason.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));

        var garbage = await client.PostAsync(new Uri($"/api/offers/{token}/decline", UriKind.Relative), new StringContent("{\"reason\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }
}
