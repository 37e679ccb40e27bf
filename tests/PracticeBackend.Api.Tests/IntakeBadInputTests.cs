using System.Net;
using System.Text.Json.Nodes;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>Every refusal is a 4xx problem+json naming the field, and stores nothing.</summary>
[Collection(Api.Name)]
public sealed class IntakeBadInputTests(ApiFixture app)
{
    public static TheoryData<string, string> FieldProblems => new()
    {
        { "missing email", "email" },
        { "blank email", "email" },
        { "malformed email", "email" },
        { "email with display name", "email" },
        { "unknown pace", "pace" },
        { "unknown format", "preferredFormat" },
        { "Windows time zone", "timeZone" },
        { "made-up time zone", "timeZone" },
        { "message over 4000 characters", "message" },
        { "name over 100 characters", "name" },
        { "letters in phone", "phone" },
        { "consent not given", "consent.contact" },
        { "consent missing", "consent" },
        { "consent version missing", "consent.version" },
        { "consent.contact is a string", "consent.contact" },
        { "pace is a number", "pace" },
    };

    [Theory]
    [MemberData(nameof(FieldProblems))]
    public async Task Submit_Returns400NamingTheField_AndStoresNothing(string change, string field)
    {
        var form = IntakeForms.Valid();
        Apply(form, change);

        var response = await SendAndCountAsync(IntakeForms.Post(form), expectStored: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
        Assert.NotEqual(0, messages.GetArrayLength());
    }

    [Fact]
    public async Task Submit_NamesEveryBadField_WhenSeveralAreWrong()
    {
        var form = IntakeForms.Valid();
        form["email"] = "nope";
        form["pace"] = "hourly";
        form["consent"] = new JsonObject { ["contact"] = false, ["version"] = "2026-11" };

        var response = await SendAndCountAsync(IntakeForms.Post(form), expectStored: false);

        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("pace", out _));
        Assert.True(errors.TryGetProperty("consent.contact", out _));
    }

    [Theory]
    [InlineData("{\"email\": \"sam@example.org\", ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public async Task Submit_Returns400_WhenTheBodyIsNotTheForm(string body)
    {
        var response = await SendAndCountAsync(IntakeForms.Post(body, "application/json"), expectStored: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).TryGetProperty("errors", out _));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Submit_Returns415_WhenTheContentTypeIsNotJson(string contentType)
    {
        var response = await SendAndCountAsync(IntakeForms.Post(IntakeForms.Valid().ToJsonString(), contentType), expectStored: false);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("application/json", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Submit_Returns413_WhenTheBodyIsOver64KB(bool chunked)
    {
        var form = IntakeForms.Valid();
        form["padding"] = new string('x', 70 * 1024);
        var request = IntakeForms.Post(form);
        request.Headers.TransferEncodingChunked = chunked;

        var response = await SendAndCountAsync(request, expectStored: false);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("64 KB", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_Returns400NamingTheHeader_WhenTheIdempotencyKeyIsUnusable()
    {
        var response = await SendAndCountAsync(IntakeForms.Post(IntakeForms.Valid(), new string('k', 200)), expectStored: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
    }

    private static void Apply(JsonObject form, string change)
    {
        switch (change)
        {
            case "missing email": form.Remove("email"); break;
            case "blank email": form["email"] = "   "; break;
            case "malformed email": form["email"] = "sam@@example"; break;
            case "email with display name": form["email"] = "Sam <sam@example.org>"; break;
            case "unknown pace": form["pace"] = "daily"; break;
            case "unknown format": form["preferredFormat"] = "telepathy"; break;
            case "Windows time zone": form["timeZone"] = "Central Standard Time"; break;
            case "made-up time zone": form["timeZone"] = "Mars/Olympus_Mons"; break;
            case "message over 4000 characters": form["message"] = new string('a', 4001); break;
            case "name over 100 characters": form["name"] = new string('n', 101); break;
            case "letters in phone": form["phone"] = "call me maybe"; break;
            case "consent not given": form["consent"] = new JsonObject { ["contact"] = false, ["version"] = "2026-11" }; break;
            case "consent missing": form.Remove("consent"); break;
            case "consent version missing": form["consent"] = new JsonObject { ["contact"] = true }; break;
            case "consent.contact is a string": form["consent"] = new JsonObject { ["contact"] = "yes", ["version"] = "2026-11" }; break;
            case "pace is a number": form["pace"] = 7; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }

    private async Task<HttpResponseMessage> SendAndCountAsync(HttpRequestMessage request, bool expectStored)
    {
        using var client = app.CreateClient();
        var before = await StoredRowsAsync();
        var response = await client.SendAsync(request);
        var after = await StoredRowsAsync();
        Assert.Equal(expectStored, after != before);
        return response;
    }

    private async Task<(long, long, long)> StoredRowsAsync() => (
        await RawRows.CountAsync(app.ConnectionString, "clients"),
        await RawRows.CountAsync(app.ConnectionString, "intake_requests"),
        await RawRows.CountAsync(app.ConnectionString, "consent_records"));
}
