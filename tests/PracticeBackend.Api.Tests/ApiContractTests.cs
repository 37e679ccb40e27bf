using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Tests.Contract;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// What a developer generating a client from /openapi/v1.json relies on (ADR 0008). Every other API
/// test checks its own exchanges against the same document (<see cref="ContractCheckingHandler"/>).
/// </summary>
[Collection(Api.Name)]
public sealed class ApiContractTests(ApiFixture app)
{
    /// <summary>Set to 1 by tools/generate-api-client.sh: the served document replaces the committed one.</summary>
    private const string UpdateVariable = "PRACTICE_UPDATE_API_CONTRACT";
    private const string CommittedDocument = "docs/openapi/v1.json";
    private static readonly Uri DocumentUri = new(OpenApiContract.DocumentPath, UriKind.Relative);

    [Fact]
    public async Task OpenApiDocument_IsRefused_ToAnonymousAndTherapists_OutsideDevelopment()
    {
        using var anonymous = app.CreateClient();
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Contract Reader");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(DocumentUri)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await therapist.Client.GetAsync(DocumentUri)).StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_IsServedToAdmins_AsOpenApi31()
    {
        using var admin = await app.SignInAsAdminAsync();

        var response = await admin.GetAsync(DocumentUri);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["paths"]!["/api/intake"]!["post"]);
    }

    [Fact]
    public async Task ServedDocument_IsTheCommittedOne_FromWhichTheClientWasGenerated()
    {
        using var admin = await app.SignInAsAdminAsync();
        var served = await admin.GetStringAsync(new Uri(OpenApiContract.DocumentPath, UriKind.Relative));
        var path = Path.Combine(RepositoryRoot(), CommittedDocument);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, Pretty(JsonNode.Parse(served)!) + "\n");
            return;
        }

        var committed = File.Exists(path) ? JsonNode.Parse(await File.ReadAllTextAsync(path)) : null;
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(served), committed),
            $"The API's OpenAPI document is not the committed {CommittedDocument} (first difference: {FirstDifference(served, committed)}).\n" +
            "If the API change is meant, run tools/generate-api-client.sh and commit the document and the regenerated client " +
            "(tests/PracticeBackend.Api.Tests/Generated/PracticeClient).");
    }

    [Fact]
    public async Task Intake_RequiresOnlyEmailAndConsent_AndAcceptsNullForTheRest()
    {
        var schema = await SchemaOfRequestAsync("/api/intake", "post");

        Assert.Equal(["consent", "email"], Required(schema));
        foreach (var optional in new[] { "name", "phone", "timeZone", "pace", "preferredFormat", "message", "website" })
        {
            Assert.Contains("null", Types(schema["properties"]![optional]!));
        }

        Assert.DoesNotContain("null", Types(schema["properties"]!["email"]!));
        Assert.Equal("#/components/schemas/SubmitIntakeConsentAnswer", schema["properties"]!["consent"]!["$ref"]!.GetValue<string>());
        var consent = (await ApiContracts.ForAsync()).Document["components"]!["schemas"]!["SubmitIntakeConsentAnswer"]!;
        Assert.Equal(["contact", "version"], Required(consent));
        Assert.Equal([.. WireNames.PaceNames, null], schema["properties"]!["pace"]!["enum"]!.AsArray().Select(v => v?.GetValue<string>()));
    }

    [Fact]
    public async Task EachUseCase_HasItsOwnRequestSchema_SoSignInDoesNotAskForIntakeFields()
    {
        var signIn = await SchemaOfRequestAsync("/api/auth/login", "post");
        var invite = await SchemaOfRequestAsync("/api/staff/users", "post");

        Assert.Equal(["email", "password", "twoFactorCode"], signIn["properties"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(["email", "password"], Required(signIn));
        Assert.Equal(["email", "role"], Required(invite));
        Assert.Equal(["Admin", "Therapist"], invite["properties"]!["role"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        var document = (await ApiContracts.ForAsync()).Document;
        string Reference(string path) =>
            document["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        Assert.Equal(
            ["#/components/schemas/SubmitIntakeCommand", "#/components/schemas/SignInCommand", "#/components/schemas/InviteStaffCommand"],
            [Reference("/api/intake"), Reference("/api/auth/login"), Reference("/api/staff/users")]);
    }

    [Fact]
    public async Task Document_DescribesTheApiOnly_NotTheDashboardsOrPages()
    {
        var paths = (await ApiContracts.ForAsync()).Document["paths"]!.AsObject().Select(p => p.Key).ToList();

        Assert.All(paths, p => Assert.StartsWith("/api/", p, StringComparison.Ordinal));
        Assert.Contains("/api/staff/intake/{intakeId}/close", paths);
    }

    [Fact]
    public async Task EveryOperation_IsNamedDescribed_AndDeclaresItsAnswers()
    {
        var operations = Operations((await ApiContracts.ForAsync()).Document).ToList();

        Assert.Equal(35, operations.Count);
        Assert.Equal(operations.Count, operations.Select(o => o.Operation["operationId"]?.GetValue<string>()).Distinct().Count());
        Assert.All(operations, o =>
        {
            var where = $"{o.Method} {o.Path}";
            Assert.False(string.IsNullOrWhiteSpace(o.Operation["operationId"]?.GetValue<string>()), $"{where}: operationId");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()), $"{where}: summary");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation["description"]?.GetValue<string>()), $"{where}: description");
            var responses = o.Operation["responses"]!.AsObject();
            Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{where}: a success response");
            Assert.True(responses.Any(r => r.Key.StartsWith('4')), $"{where}: its refusals");
            Assert.NotNull(responses["default"]?["content"]?["application/problem+json"]);
        });
    }

    [Fact]
    public async Task Checker_FailsAResponse_ThatBreaksTheSchema()
    {
        var contract = await ApiContracts.ForAsync();

        var violation = contract.Check(Json("POST", "/api/auth/login", """{"email":"a@b.c","password":"p"}""", 200, """{"userId":5}"""));

        Assert.NotNull(violation);
        Assert.Contains("SignIn", violation, StringComparison.Ordinal);
        Assert.Contains("200", violation, StringComparison.Ordinal);
        Assert.Contains("userId", violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checker_FailsAStatus_ThatIsNotDeclared()
    {
        var contract = await ApiContracts.ForAsync();

        var violation = contract.Check(Json("GET", $"/api/intake/{Guid.NewGuid()}", null, 409, """{"title":"Conflict","status":409}"""));

        Assert.NotNull(violation);
        Assert.Contains("status 409 is not declared", violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checker_FailsAnAcceptedRequest_ThatBreaksTheContract()
    {
        var contract = await ApiContracts.ForAsync();
        var response = """{"intakeId":"0195a3d2-7c1e-7000-8000-000000000000","status":"submitted","pace":"gentle"}""";

        var withoutEmail = contract.Check(Json("POST", "/api/intake", """{"consent":{"contact":true,"version":"2026-11"}}""", 201, response));
        var refused = contract.Check(Json("POST", "/api/intake", """{"consent":{"contact":true,"version":"2026-11"}}""", 400, """{"title":"x","errors":{"email":["Please"]}}"""));

        Assert.NotNull(withoutEmail);
        Assert.Contains("must get a 4xx", withoutEmail, StringComparison.Ordinal);
        Assert.Null(refused);
    }

    [Fact]
    public async Task Checker_AcceptsA404_ForWhatTheContractDoesNotOffer_AndNothingElse()
    {
        var contract = await ApiContracts.ForAsync();

        Assert.Null(contract.Check(Json("POST", "/api/auth/register", "{}", 404, """{"status":404}""")));
        Assert.NotNull(contract.Check(Json("POST", "/api/auth/register", "{}", 200, "{}")));
    }

    private static async Task<JsonNode> SchemaOfRequestAsync(string path, string method)
    {
        var document = (await ApiContracts.ForAsync()).Document;
        var reference = document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        return document["components"]!["schemas"]![reference.Split('/')[^1]]!;
    }

    private static string[] Required(JsonNode schema) => [.. (schema["required"]?.AsArray() ?? []).Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal)];

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (m.Key, p.Key, m.Value!)));

    private static Exchange Json(string method, string path, string? request, int status, string response) =>
        new(method, path, "", request is null ? null : "application/json", request is null ? [] : Encoding.UTF8.GetBytes(request),
            status, status >= 400 ? "application/problem+json" : "application/json", Encoding.UTF8.GetBytes(response));

    private static string Pretty(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static string FirstDifference(string served, JsonNode? committed)
    {
        if (committed is null)
        {
            return $"{CommittedDocument} is missing";
        }

        var a = Pretty(JsonNode.Parse(served)!).Split('\n');
        var b = Pretty(committed).Split('\n');
        var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
        return $"line {line + 1}, served: {a.ElementAtOrDefault(line)?.Trim() ?? "(end)"}  |  committed: {b.ElementAtOrDefault(line)?.Trim() ?? "(end)"}";
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PracticeBackend.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No PracticeBackend.sln above {AppContext.BaseDirectory}.");
    }
}
