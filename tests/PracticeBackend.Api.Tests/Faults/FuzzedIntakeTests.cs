using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests.Faults;

/// <summary>
/// A thousand malformed, oversized and hostile intake posts, to the API and to the form page: not one is a 5xx
/// (or a dropped connection), every refusal on the API is problem+json, and not one row is stored. Each
/// payload carries at least one defect the app must refuse (or fills the honeypot, which answers like a success
/// and stores nothing), beside whatever hostile text the generator put in the other fields.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultSuite.Name)]
public sealed class FuzzedIntakeTests(FuzzApp app) : IClassFixture<FuzzApp>
{
    private const int Payloads = 1000;

    [Fact]
    public async Task AThousandHostilePayloads_GetNo5xx_AndStoreNothing()
    {
        // Raw UTF-8 in headers too, as a hostile client may send it (HttpClient refuses it by default).
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var client = new HttpClient(handler) { BaseAddress = app.ClientOptions.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var answered = 0;

        await HostilePosts.Any.SampleAsync(async post =>
        {
            using var request = post.ToRequest();
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status} for {post}\n" + string.Join('\n', app.Logs.All.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).TakeLast(3)));
            if (post.Path == IntakeForms.Endpoint.OriginalString && status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            Interlocked.Increment(ref answered);
        }, iter: Payloads, threads: 2, print: post => post.ToString());

        Assert.True(answered >= Payloads, $"only {answered} of {Payloads} payloads were answered");
        Assert.Equal(0L, await RawRows.CountAsync(app.ConnectionString, "intake_requests"));
        Assert.Equal(0L, await RawRows.CountAsync(app.ConnectionString, "clients"));
        Assert.Equal(0L, await RawRows.CountAsync(app.ConnectionString, "outbox_messages"));
    }
}

/// <summary>One generated post: where it goes, what it claims to be, and its bytes.</summary>
public sealed record HostilePost(string Path, string? ContentType, byte[] Body, string? IdempotencyKey, string Kind)
{
    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Path, UriKind.Relative)) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = ContentType is null ? null : MediaTypeHeaderValue.Parse(ContentType);
        if (IdempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", IdempotencyKey);
        }

        return request;
    }

    public override string ToString() =>
        $"{Kind}: POST {Path} ({ContentType ?? "no content type"}, {Body.Length} bytes{(IdempotencyKey is null ? "" : $", key of {IdempotencyKey.Length}")}): "
        + Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 300));
}

/// <summary>The generators: each payload is refused for at least one reason, whatever else it carries.</summary>
internal static class HostilePosts
{
    private const string Api = "/api/intake";
    private const string Page = "/intake";

    /// <summary>Text an attacker or a broken client puts in fields; on its own it need not be invalid.</summary>
    private static readonly Gen<string> HostileText = Gen.OneOf(
        Gen.OneOf(
            "'; DROP TABLE clients; --",
            "\" OR 1=1 --",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "{{7*7}}${7*7}<%= 7*7 %>",
            "../../../../etc/passwd",
            "\u0000",
            "a\u0000b",
            "\u202Egnp.exe",
            "\uFEFF",
            "\uD800",
            "\r\nBcc: victim@example.org",
            "%0d%0aSubject: hi",
            "😀👩‍👩‍👧‍👦",
            "ﷺ ͡° ͜ʖ ͡°",
            "null",
            "true",
            "-1",
            "1e309",
            ""),
        Gen.String[0, 40],
        Gen.Char[(char)0, (char)31].Array[1, 20].Select(c => new string(c)),
        Gen.Int[IntakeLimits.MessageMaxLength + 1, IntakeLimits.MessageMaxLength * 3].Select(n => new string('x', n)));

    /// <summary>A JSON value of a type the field does not take, or text.</summary>
    private static readonly Gen<JsonNode?> HostileValue = Gen.OneOf(
        HostileText.Select(t => (JsonNode?)JsonValue.Create(t)),
        Gen.Const((JsonNode?)null),
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0.5)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        HostileText.Array[0, 3].Select(a => (JsonNode?)new JsonArray([.. a.Select(t => (JsonNode?)JsonValue.Create(t))])),
        HostileText.Select(t => (JsonNode?)new JsonObject { ["value"] = t }));

    private static readonly string[] Fields = ["name", "email", "phone", "timeZone", "pace", "preferredFormat", "message", "consent", "website"];

    /// <summary>One change that makes the form invalid on its own (or a bot's: the honeypot).</summary>
    private static readonly Gen<(string Name, Action<JsonObject> Apply)> Defect = Gen.OneOf(
        Gen.OneOf<string>("", "   ", "not an email", "a@", "@example.org", "a@b@c.org", "<script>@x", "sam@example..org", new string('a', 250) + "@example.org")
            .Select(e => ("bad email", (Action<JsonObject>)(f => f["email"] = e))),
        Gen.Const(("no email", (Action<JsonObject>)(f => f.Remove("email")))),
        Gen.OneOf("urgent", "daily", "'; DROP TABLE clients; --", "GENTLE ", "")
            .Select(p => ("unknown pace", (Action<JsonObject>)(f => f["pace"] = p))),
        Gen.OneOf("Mars/Olympus", "../../etc/passwd", "Eastern Standard Time", "UTC+25", new string('Z', 80))
            .Select(z => ("bad time zone", (Action<JsonObject>)(f => f["timeZone"] = z))),
        Gen.OneOf("hologram", "0", "<b>video</b>")
            .Select(v => ("unknown format", (Action<JsonObject>)(f => f["preferredFormat"] = v))),
        Gen.Int[IntakeLimits.NameMaxLength + 1, 3000].Select(n => ("long name", (Action<JsonObject>)(f => f["name"] = new string('n', n)))),
        Gen.Int[IntakeLimits.MessageMaxLength + 1, 20_000].Select(n => ("long message", (Action<JsonObject>)(f => f["message"] = new string('m', n)))),
        Gen.OneOf("call me maybe", "+1 (555) 0100 ext. <script>", new string('5', 40))
            .Select(p => ("bad phone", (Action<JsonObject>)(f => f["phone"] = p))),
        Gen.Const(("consent not given", (Action<JsonObject>)(f => f["consent"] = new JsonObject { ["contact"] = false, ["version"] = "2026-11" }))),
        Gen.Const(("no consent", (Action<JsonObject>)(f => f.Remove("consent")))),
        HostileValue.Select(v => ("consent of another type", (Action<JsonObject>)(f => f["consent"] = v?.DeepClone()))),
        HostileValue.Where(v => v is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
            .Select(v => ("email of another type", (Action<JsonObject>)(f => f["email"] = v?.DeepClone()))),
        HostileText.Where(t => t.Length > 0).Select(t => ("honeypot filled", (Action<JsonObject>)(f => f["website"] = t))));

    /// <summary>A valid form with hostile text in some fields and at least one defect.</summary>
    private static readonly Gen<HostilePost> JsonForms =
        Gen.Select(Gen.Int[0, Fields.Length - 1].Array[0, 4], HostileText.Array[4], Defect.Array[1, 3], Gen.Bool, (fields, texts, defects, keyed) =>
        {
            var form = IntakeForms.Valid();
            for (var i = 0; i < fields.Length; i++)
            {
                if (Fields[fields[i]] is not ("consent" or "website"))
                {
                    form[Fields[fields[i]]] = texts[i];
                }
            }

            foreach (var (_, apply) in defects)
            {
                apply(form);
            }

            return new HostilePost(Api, "application/json", Encoding.UTF8.GetBytes(form.ToJsonString()), keyed ? Guid.NewGuid().ToString() : null,
                string.Join(" + ", defects.Select(d => d.Name)));
        });

    /// <summary>Bytes that are not a JSON object at all, or one the parser must refuse.</summary>
    private static readonly Gen<HostilePost> Garbage = Gen.OneOf(
        Gen.Byte.Array[0, 2000].Select(b => new HostilePost(Api, "application/json", b, null, "random bytes")),
        Gen.Int[1, 5000].Select(n => new HostilePost(Api, "application/json", Encoding.ASCII.GetBytes(new string('[', n)), null, "deep nesting")),
        Gen.Int[1, 3000].Select(n => new HostilePost(Api, "application/json", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", n))), null, "deep objects")),
        Gen.Int[1, 250].Select(n => new HostilePost(Api, "application/json", Encoding.UTF8.GetBytes(IntakeForms.Valid().ToJsonString()[..n]), null, "truncated form")),
        Gen.OneOf("null", "[]", "0", "\"form\"", "{}", "{\"consent\":{}}", "{\"email\":1e999}", "{\"__proto__\":{\"admin\":true}}", "{\"email\":\"a@b.org\"}")
            .Select(s => new HostilePost(Api, "application/json", Encoding.UTF8.GetBytes(s), null, "wrong shape")),
        Gen.OneOf<byte[]>(new byte[] { 0xC3, 0x28 }, [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], [0xEF, 0xBB, 0xBF, 0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D])
            .Select(b => new HostilePost(Api, "application/json", b, null, "broken UTF-8")));

    /// <summary>A well-formed form under a content type the API does not take, or none.</summary>
    private static readonly Gen<HostilePost> WrongContentType =
        Gen.OneOf<string?>(null, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "image/png")
            .Select(type => new HostilePost(Api, type, Encoding.UTF8.GetBytes(IntakeForms.Valid().ToJsonString()), null, "wrong content type"));

    /// <summary>Over the body limit: refused before it is read.</summary>
    private static readonly Gen<HostilePost> Oversized =
        Gen.Int[IntakeLimits.BodyMaxBytes + 1, IntakeLimits.BodyMaxBytes + 8 * 1024].Select(n =>
        {
            var form = IntakeForms.Valid();
            form["message"] = new string('m', n);
            return new HostilePost(Api, "application/json", Encoding.UTF8.GetBytes(form.ToJsonString()), null, "oversized");
        });

    /// <summary>An Idempotency-Key no client should send (the form itself is valid).</summary>
    private static readonly Gen<HostilePost> BadKeys =
        Gen.OneOf(
            Gen.Int[Hosting.IdempotencyKeys.MaxLength + 1, 4000].Select(n => new string('k', n)),
            Gen.OneOf("", " ", "key with spaces", "ключ", "\u00e9t\u00e9"))
            .Select(key => new HostilePost(Api, "application/json", Encoding.UTF8.GetBytes(IntakeForms.Valid().ToJsonString()), key, "bad Idempotency-Key"));

    /// <summary>The form page, posted without the token it renders, with a forged one, or not as a form.</summary>
    private static readonly Gen<HostilePost> PagePosts = Gen.OneOf(
        Gen.Select(HostileText, Gen.OneOf("", "forged", "CfDJ8" + new string('A', 120)), (text, token) =>
            new HostilePost(Page, "application/x-www-form-urlencoded",
                Encoding.UTF8.GetBytes($"formToken={Uri.EscapeDataString(token)}&Form.Name={Uri.EscapeDataString(text)}&Form.Email=sam%40example.org&Form.Consent=true&Form.TimeZone=UTC"),
                null, "page without a valid token")),
        Gen.OneOf<string?>(null, "application/json", "text/plain", "multipart/form-data; boundary=x")
            .Select(type => new HostilePost(Page, type, Encoding.UTF8.GetBytes(IntakeForms.Valid().ToJsonString()), null, "page, not a form")),
        Gen.Byte.Array[0, 500].Select(b => new HostilePost(Page, "application/x-www-form-urlencoded", b, null, "page, random bytes")));

    public static readonly Gen<HostilePost> Any = Gen.Frequency(
        (40, JsonForms), (20, Garbage), (8, WrongContentType), (5, Oversized), (7, BadKeys), (20, PagePosts));
}

/// <summary>The app on a fresh database of its own, so that "nothing stored" is a count of zero.</summary>
public sealed class FuzzApp : PracticeAppFactory
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public CapturedLogs Logs { get; } = new();
}
