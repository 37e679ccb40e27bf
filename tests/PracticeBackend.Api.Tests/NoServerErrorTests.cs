using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Bad input gets a clear answer, never a 500: every JSON endpoint, fed garbage by a signed-in admin,
/// answers 4xx problem+json; the email-link form and the operators' dashboard refuse broken forms with a 4xx.
/// </summary>
[Collection(Api.Name)]
public sealed class NoServerErrorTests(ApiFixture app)
{
    private static readonly string Unknown = Guid.NewGuid().ToString();

    /// <summary>Every field name any endpoint reads, each carrying NUL (PostgreSQL refuses NUL in text).</summary>
    private const string NulInEveryField =
        "{\"email\":\"a\\u0000@example.org\",\"password\":\"\\u0000\",\"twoFactorCode\":\"\\u0000\",\"code\":\"\\u0000\"," +
        "\"currentPassword\":\"\\u0000\",\"invitationToken\":\"\\u0000\",\"role\":\"\\u0000\",\"displayName\":\"\\u0000\"," +
        "\"specialties\":[\"\\u0000\"],\"formats\":[\"\\u0000\"],\"timeZone\":\"\\u0000\",\"name\":\"\\u0000\",\"phone\":\"\\u0000\"," +
        "\"pace\":\"\\u0000\",\"preferredFormat\":\"\\u0000\",\"message\":\"\\u0000\",\"reason\":\"\\u0000\",\"body\":\"\\u0000\"," +
        "\"subject\":\"\\u0000\",\"website\":\"\\u0000\",\"consent\":{\"contact\":true,\"version\":\"\\u0000\"}}";

    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "/api/intake" },
        { "POST", "/api/auth/login" },
        { "POST", "/api/auth/accept-invitation" },
        { "POST", "/api/auth/2fa/enable" },
        { "POST", "/api/staff/users" },
        { "POST", "/api/staff/therapists" },
        { "PUT", $"/api/staff/therapists/{Unknown}" },
        { "POST", $"/api/staff/intake/{Unknown}/assign" },
        { "POST", $"/api/staff/intake/{Unknown}/close" },
        { "POST", $"/api/staff/intake/{Unknown}/messages" },
    };

    private static readonly (string Body, string ContentType)[] Garbage =
    [
        ("", "application/json"),
        ("null", "application/json"),
        ("[]", "application/json"),
        ("{", "application/json"),
        ("\"just a string\"", "application/json"),
        ("{\"email\": {\"nested\": true}, \"therapistId\": \"not-a-guid\", \"reason\": 5, \"formats\": \"video\", \"body\": [], \"code\": [], \"currentPassword\": {}}", "application/json"),
        ("{\"displayName\": null, \"specialties\": [null], \"formats\": [null], \"timeZone\": 3}", "application/json"),
        ("email=a@b.c", "application/x-www-form-urlencoded"),
        ("\u0000\u0001\u0002", "application/json"),
        (NulInEveryField, "application/json"),
        ("{\"email\":\"a\\u0001@example.org\",\"displayName\":\"\\u001b[31m\",\"message\":\"\\u0008\"}", "application/json"),
        ("{\"email\":\"a@example.org\",\"email\":\"b@example.org\",\"code\":\"1\",\"code\":\"2\",\"displayName\":\"A\",\"displayName\":\"B\",\"reason\":\"x\",\"reason\":\"y\",\"therapistId\":null,\"therapistId\":null,\"body\":\"x\",\"body\":\"y\"}", "application/json"),
        ("{\"email\":\"a@[127.0.0.1]\",\"role\":\"Admin\",\"password\":\"x\",\"invitationToken\":\"x\"}", "application/json"),
    ];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_AnswersGarbageWith4xxProblem_NeverA500(string method, string path)
    {
        using var admin = await app.SignInAsAdminAsync();
        foreach (var (body, contentType) in Garbage)
        {
            await AssertProblemAsync(admin, method, path, body, contentType);
        }
    }

    [Fact]
    public async Task TwoFactorSetup_AnswersGarbageWith4xxProblem_WhenTwoFactorIsOn()
    {
        // With two-factor off an empty body is a first set-up, so the garbage goes to someone who has it on.
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Garbage Rekey");
        var setup = await therapist.Client.PostAsync(new Uri("/api/auth/2fa/setup", UriKind.Relative), null);
        var key = (await setup.JsonAsync()).GetProperty("sharedKey").GetString()!;
        var enabled = await therapist.Client.PostAsJsonAsync("/api/auth/2fa/enable", new { code = StaffClients.Totp(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);

        foreach (var (body, contentType) in Garbage)
        {
            await AssertProblemAsync(therapist.Client, "POST", "/api/auth/2fa/setup", body, contentType);
        }
    }

    public static TheoryData<string, string> BrokenForms => new()
    {
        { "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"days\"\r\n\r\n30\r\n--x--\r\n" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"days\"\r\n\r\n30" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"days\"\r\n" + new string('h', 20_000) + "\r\n\r\n30\r\n--x--\r\n" },
        { "multipart/form-data; boundary=" + new string('b', 200), "--" + new string('b', 200) + "\r\n\r\n" },
        { "multipart/form-data; boundary=x", "not multipart at all" },
        { "application/x-www-form-urlencoded", string.Join('&', Enumerable.Range(0, 2_000).Select(i => $"k{i}=v")) },
        { "application/x-www-form-urlencoded", "days=" + new string('9', 4 * 1024 * 1024 + 1) },
        { "application/x-www-form-urlencoded", new string('k', 3_000) + "=30" },
    };

    [Theory]
    [MemberData(nameof(BrokenForms))]
    public async Task EmailLinkButton_AnswersABrokenOrOversizedFormWith4xx_NeverA500(string contentType, string body)
    {
        using var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/email/" + new string('t', 43), UriKind.Relative))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.SendAsync(request);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{contentType} ({body.Length} characters) answered {status}");
    }

    [Theory]
    [InlineData("GET", "/hangfire/stats", null)]
    [InlineData("POST", "/hangfire/stats", "application/json")]
    [InlineData("POST", "/hangfire/recurring/trigger", "application/json")]
    [InlineData("POST", "/hangfire/jobs/enqueued/delete", "text/plain")]
    [InlineData("POST", "/hangfire/stats", "multipart/form-data")]
    public async Task HangfireDashboard_AnswersAMissingOrWrongFormWith4xxProblem_NeverA500(string method, string path, string? contentType)
    {
        using var admin = await app.SignInAsAdminAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"metrics[]\":\"x\"}"));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var response = await admin.SendAsync(request);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{method} {path} ({contentType}) answered {status}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertProblemAsync(HttpClient client, string method, string path, string body, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };

        var response = await client.SendAsync(request);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{method} {path} with {body} ({contentType}) answered {status}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
