using System.Net;
using System.Text;

namespace PracticeBackend.Api.Tests;

/// <summary>Bad input gets a clear answer: every JSON endpoint, fed garbage by a signed-in admin, answers 4xx problem+json, never 500.</summary>
[Collection(Api.Name)]
public sealed class NoServerErrorTests(ApiFixture app)
{
    private static readonly string Unknown = Guid.NewGuid().ToString();

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
        ("{\"email\": {\"nested\": true}, \"therapistId\": \"not-a-guid\", \"reason\": 5, \"formats\": \"video\", \"body\": []}", "application/json"),
        ("{\"displayName\": null, \"specialties\": [null], \"formats\": [null], \"timeZone\": 3}", "application/json"),
        ("email=a@b.c", "application/x-www-form-urlencoded"),
        ("\u0000\u0001\u0002", "application/json"),
    ];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_AnswersGarbageWith4xxProblem_NeverA500(string method, string path)
    {
        using var admin = await app.SignInAsAdminAsync();
        foreach (var (body, contentType) in Garbage)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
            {
                Content = new StringContent(body, Encoding.UTF8, contentType),
            };

            var response = await admin.SendAsync(request);

            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{method} {path} with {body} ({contentType}) answered {status}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
