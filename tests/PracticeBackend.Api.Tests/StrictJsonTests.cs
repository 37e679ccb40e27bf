using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Every JSON body is read strictly: text with control characters (NUL above all, which PostgreSQL
/// cannot store) and keys given twice are refused with a 400 naming the field, before any handler runs.
/// </summary>
[Collection(Api.Name)]
public sealed class StrictJsonTests(ApiFixture app)
{
    [Theory]
    [InlineData("/api/auth/login", "{\"email\":\"admin\\u0000@practice.test\",\"password\":\"whatever it is\"}", "email")]
    [InlineData("/api/auth/accept-invitation", "{\"email\":\"a\\u0000@practice.test\",\"invitationToken\":\"x\",\"password\":\"p\"}", "email")]
    [InlineData("/api/staff/users", "{\"email\":\"new\\u0000@practice.test\",\"role\":\"Admin\"}", "email")]
    [InlineData("/api/staff/therapists", "{\"displayName\":\"Dr\\u0000 Who\",\"formats\":[\"video\"],\"timeZone\":\"America/Chicago\"}", "displayName")]
    [InlineData("/api/staff/therapists", "{\"displayName\":\"Dr Who\",\"specialties\":[\"grief\",\"bell\\u0007\"],\"formats\":[\"video\"],\"timeZone\":\"America/Chicago\"}", "specialties[1]")]
    public async Task JsonEndpoint_Answers400NamingTheField_WhenTextCarriesAControlCharacter(string path, string body, string field)
    {
        using var admin = await app.SignInAsAdminAsync();

        var response = await admin.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        var message = await AssertFieldProblemAsync(response, field);
        Assert.Contains("control character", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intake_Answers400NamingMessage_AndStoresNothing_WhenTheMessageCarriesNul()
    {
        var form = IntakeForms.Valid();
        form["message"] = "I would like to talk\u0000 about something.";
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var response = await SendAsync(IntakeForms.Post(form));

        await AssertFieldProblemAsync(response, "message");
        Assert.Equal(before, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
    }

    [Fact]
    public async Task Intake_AcceptsTabsAndLineBreaks_InTheMessage()
    {
        var form = IntakeForms.Valid();
        form["message"] = "First line,\r\nsecond line\tand a tab.";

        var response = await SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Intake_Answers400NamingTheKey_AndStoresNothing_WhenAKeyIsGivenTwice()
    {
        var json = IntakeForms.Valid("first@example.org").ToJsonString();
        var twice = json.Insert(json.Length - 1, ",\"email\":\"second@example.org\"");
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var response = await SendAsync(IntakeForms.Post(twice, "application/json"));

        var message = await AssertFieldProblemAsync(response, "email");
        Assert.Contains("once", message, StringComparison.Ordinal);
        Assert.Equal(before, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
    }

    [Fact]
    public async Task Intake_Answers400NamingTheNestedKey_WhenANestedKeyIsGivenTwice()
    {
        var form = IntakeForms.Valid();
        // Read last-wins, this would be consent given; the first answer was "no".
        var json = form.ToJsonString().Replace("\"contact\":true", "\"contact\":false,\"contact\":true", StringComparison.Ordinal);
        var before = await RawRows.CountAsync(app.ConnectionString, "intake_requests");

        var response = await SendAsync(IntakeForms.Post(json, "application/json"));

        await AssertFieldProblemAsync(response, "consent.contact");
        Assert.Equal(before, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
    }

    [Fact]
    public async Task Intake_Answers400NamingEmail_WhenTheDomainIsAnIpLiteral()
    {
        var response = await SendAsync(IntakeForms.Post(IntakeForms.Valid("a@[127.0.0.1]")));

        await AssertFieldProblemAsync(response, "email");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using var client = app.CreateClient();
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Intake_Answers400NamingTheBody_WhenTheTextIsNotValidUnicode_NeverA500()
    {
        var loneSurrogate = IntakeForms.Valid().ToJsonString().Replace("\"message\":\"", "\"message\":\"\\ud800", StringComparison.Ordinal);
        var invalidUtf8 = Encoding.UTF8.GetBytes(IntakeForms.Valid().ToJsonString().Replace("arm", "a\u00ffrm", StringComparison.Ordinal))
            .Select(b => b == 0xC3 ? (byte)0xFF : b).ToArray();

        var surrogate = await SendAsync(IntakeForms.Post(loneSurrogate, "application/json"));
        using var raw = new ByteArrayContent(invalidUtf8);
        raw.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var client = app.CreateClient();
        var bytes = await client.PostAsync(IntakeForms.Endpoint, raw);

        Assert.Equal(HttpStatusCode.BadRequest, surrogate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bytes.StatusCode);
    }

    [Fact]
    public async Task StaffEndpoint_Answers415_WhenJsonArrivesInAnotherCharset()
    {
        using var admin = await app.SignInAsAdminAsync();
        var body = new StringContent("{\"displayName\":\"Dr\u0000 Who\",\"formats\":[\"video\"],\"timeZone\":\"America/Chicago\"}", Encoding.Unicode, "application/json");

        var response = await admin.PostAsync(new Uri("/api/staff/therapists", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string> AssertFieldProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
        return messages[0].GetString()!;
    }
}
