using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PracticeBackend.Api.Tests;

/// <summary>Builds what the website's form posts, so each test states only what it changes.</summary>
internal static class IntakeForms
{
    public static readonly Uri Endpoint = new("/api/intake", UriKind.Relative);

    public static JsonObject Valid(string? email = null) => new()
    {
        ["name"] = "Sam",
        ["email"] = email ?? $"sam.{Guid.NewGuid():N}@example.org",
        ["phone"] = null,
        ["timeZone"] = "America/Chicago",
        ["pace"] = "gentle",
        ["preferredFormat"] = "either",
        ["message"] = "I keep people at arm's length and I'd like to understand why.",
        ["consent"] = new JsonObject { ["contact"] = true, ["version"] = "2026-11" },
        ["website"] = "",
    };

    public static HttpRequestMessage Post(JsonNode form, string? idempotencyKey = null) =>
        Post(form.ToJsonString(), "application/json", idempotencyKey);

    public static HttpRequestMessage Post(string body, string contentType, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
