using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using PracticeBackend.Api.Features.Auth;
using PracticeBackend.Api.Features.Intake;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Staff;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// The API's OpenAPI document (ADR 0008): what a developer generating a client reads. It describes
/// /api only; required and nullable members of request bodies come from the validators
/// (<see cref="ValidatorContract"/>); the problems every operation can answer come from its metadata.
/// </summary>
internal static class OpenApiContract
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string SessionScheme = "staffSession";

    private const string ProblemJson = "application/problem+json";

    public static IServiceCollection AddPracticeOpenApi(this IServiceCollection services)
    {
        services.AddSingleton<ValidatorContract>();
        return services.AddOpenApi(DocumentName, options =>
        {
            // Dashboards (Orleans, Hangfire), health probes and the email-link pages are not part of the API.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.CreateSchemaReferenceId = SchemaName;
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer(DescribeCommonAnswers);
            options.AddSchemaTransformer(ShapeSchema);
        });
    }

    /// <summary>Everyone may read the contract while developing; elsewhere it lists every staff route, so admins only.</summary>
    public static IEndpointConventionBuilder MapPracticeOpenApi(this WebApplication app)
    {
        var document = app.MapOpenApi("/openapi/{documentName}.json");
        return app.Environment.IsDevelopment() ? document : document.RequireAuthorization(StaffAuthentication.AdminPolicy);
    }

    /// <summary>
    /// Every use case nests its own <c>Command</c>, <c>View</c>, <c>Result</c>…; named alone they collide
    /// and one schema silently stands for all. The declaring use case makes them unique: <c>SignInCommand</c>.
    /// </summary>
    internal static string? SchemaName(JsonTypeInfo type)
    {
        var name = OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return name is not null && type.Type.DeclaringType is { } useCase && useCase.Assembly == typeof(OpenApiContract).Assembly
            ? useCase.Name + name
            : name;
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "PracticeBackend API",
            Version = "v1",
            Description =
                "The practice's intake form (public, no account) and the staff API behind the scheduling dashboard " +
                "(signed-in staff: Admin or Therapist). Every refusal is an application/problem+json body; " +
                "validation problems name each field in `errors` as the JSON names it (`consent.contact`).",
            Contact = new OpenApiContact { Name = "PracticeBackend maintainers" },
        };

        // The document is served by the API it describes: relative to wherever it was fetched from,
        // so the committed copy does not depend on the host or port that served it.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SessionScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = StaffAuthentication.CookieName,
            Description = "The session cookie set by POST /api/auth/login (HttpOnly, SameSite=Strict); POST /api/auth/logout ends the session on the server.",
        };

        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            tag.Description = tag.Name switch
            {
                "Intake" => "The public intake form: no account, no login. Rate-limited per address.",
                "Staff sign-in" => "Staff sessions: sign-in (optionally with a TOTP code), sign-out, two-factor set-up, accepting an invitation.",
                "Staff" => "The scheduling dashboard's API. Need-to-know: a therapist sees only their own requests; what is not theirs answers 404.",
                _ => tag.Description,
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>The answers that come from the pipeline around an endpoint, not from its handler: declared from its metadata.</summary>
    private static async Task DescribeCommonAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        await EnsureProblemSchemasAsync(document, context, cancellationToken);
        operation.Responses ??= new OpenApiResponses();
        var responses = operation.Responses;

        var hasBody = description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body);
        var hasQuery = description.ParameterDescriptions.Any(p => p.Source == BindingSource.Query);
        // A body or query that does not bind is a 400 (ProblemDetailsExceptionHandler), as is a validator's refusal;
        // any body may exceed its size limit (the intake's 64 KB, Kestrel's elsewhere) or not be JSON.
        if (hasBody || hasQuery)
        {
            AddProblem(responses, document, StatusCodes.Status400BadRequest, validation: true);
        }

        if (hasBody)
        {
            AddProblem(responses, document, StatusCodes.Status413PayloadTooLarge);
            AddProblem(responses, document, StatusCodes.Status415UnsupportedMediaType);
        }

        var needsSignIn = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var refusals = new List<string>();
        if (needsSignIn)
        {
            AddProblem(responses, document, StatusCodes.Status401Unauthorized).Description = "Not signed in, or the session has ended.";
            refusals.Add("the signed-in role may not do this");
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SessionScheme, document)] = [] }];
        }
        else
        {
            // Said explicitly: an empty requirement means no sign-in is needed (the public form, signing in itself).
            operation.Security = [new OpenApiSecurityRequirement()];
        }

        if (IsGuardedByOriginCheck(description))
        {
            refusals.Add("a browser sent it from another site");
        }

        if (refusals.Count > 0)
        {
            var forbidden = AddProblem(responses, document, StatusCodes.Status403Forbidden);
            if (IsReasonPhrase(forbidden.Description, "403"))
            {
                forbidden.Description = $"Refused: {string.Join(", or ", refusals)}.";
            }
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            var tooMany = AddProblem(responses, document, StatusCodes.Status429TooManyRequests);
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds until this address may try again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }

        if (responses.TryGetValue("201", out var created) && created is OpenApiResponse createdResponse)
        {
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = new OpenApiHeader
            {
                Description = "Where the new resource can be read.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        // The one place an exception becomes an answer (ProblemDetailsExceptionHandler): words, no internals.
        responses["default"] = ProblemResponse(document, "A failure on our side (5xx): a problem that says nothing about our internals; try again later.", validation: false);

        foreach (var (code, response) in responses)
        {
            if (response is OpenApiResponse concrete && Meanings.TryGetValue(code, out var meaning) && IsReasonPhrase(concrete.Description, code))
            {
                concrete.Description = meaning;
            }
        }

        var sorted = responses.OrderBy(r => r.Key == "default" ? "999" : r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (code, response) in sorted)
        {
            responses[code] = response;
        }

        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.Name is { } name && ParameterMeanings.TryGetValue(name, out var meaning))
            {
                parameter.Description ??= meaning;
            }

            // The queue's validator lets only these through (IntakeWorklist.IsStatus).
            if (parameter.Name == "status" && description.RelativePath?.TrimEnd('/') == "api/staff/intake" && parameter.Schema is OpenApiSchema status)
            {
                status.Enum = [.. IntakeStatuses.Select(s => (JsonNode)JsonValue.Create(s))];
            }
        }
    }

    private static readonly Dictionary<string, string> ParameterMeanings = new(StringComparer.Ordinal)
    {
        [SubmitIntake.IdempotencyKeyHeader] = $"Optional: 1 to {SubmitIntake.IdempotencyKeyMaxLength} visible ASCII characters, a new UUID per form. " +
            "The same key with the same body repeats the first answer; with another body it is refused (422).",
        ["status"] = "Only requests in this state; without it, the open ones (submitted, in-conversation, times-offered).",
        ["page"] = "1-based page number; out-of-range numbers are clamped.",
        ["subject"] = "Only entries about this id (a request, a client or a member of staff).",
    };

    /// <summary>Mirrors <see cref="OriginCheck"/>: state-changing requests under /api/staff and /api/auth are refused cross-site.</summary>
    private static bool IsGuardedByOriginCheck(ApiDescription description) =>
        description.HttpMethod is not ("GET" or "HEAD" or "OPTIONS")
        && description.RelativePath is { } path
        && (path.StartsWith("api/staff/", StringComparison.Ordinal) || path.StartsWith("api/auth/", StringComparison.Ordinal));

    private static readonly string[] IntakeStatuses = [.. Enum.GetValues<IntakeStatus>().Select(s => s.ToWire())];

    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["400"] = "The request could not be read or did not pass validation; `errors` names each field.",
        ["401"] = "The email, password or code was not accepted, or the account is locked for now; `twoFactorRequired: true` asks for the authenticator code.",
        ["404"] = "Not found; for staff also what is not theirs to see (need-to-know answers 404, never 403 with details).",
        ["409"] = "Not possible in the request's current state.",
        ["413"] = "The body is larger than this endpoint accepts.",
        ["415"] = "The body must be application/json.",
        ["422"] = "This Idempotency-Key was already used for a different request.",
        ["429"] = "Too many requests from this address for now; Retry-After says when to try again.",
    };

    private static bool IsReasonPhrase(string? description, string status) =>
        string.IsNullOrEmpty(description)
        || (int.TryParse(status, out var code) && description == ReasonPhrases.GetReasonPhrase(code));

    private static async Task EnsureProblemSchemasAsync(OpenApiDocument document, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var type in new[] { typeof(ProblemDetails), typeof(HttpValidationProblemDetails) })
        {
            if (!document.Components.Schemas.ContainsKey(type.Name))
            {
                document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
            }
        }
    }

    private static OpenApiResponse AddProblem(OpenApiResponses responses, OpenApiDocument document, int status, bool validation = false)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (responses.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            return response;
        }

        response = ProblemResponse(document, ReasonPhrases.GetReasonPhrase(status), validation);
        responses[key] = response;
        return response;
    }

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, string description, bool validation) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new() { Schema = new OpenApiSchemaReference(validation ? nameof(HttpValidationProblemDetails) : nameof(ProblemDetails), document) },
        },
    };

    private static async Task ShapeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        NumbersAreNumbers(schema);
        // Called for a type's own schema and for each property whose type it is (consent): both get the rules.
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            ListEnumeratedValues(schema, context.JsonTypeInfo.Type);
            Explain(schema, context.JsonTypeInfo.Type);
            var validators = context.ApplicationServices.GetRequiredService<ValidatorContract>();
            validators.Apply(schema, context.JsonTypeInfo.Type);
        }

        await Task.CompletedTask;
    }

    /// <summary>
    /// The web JSON defaults read numbers from strings too, so the exporter writes <c>["integer","string"]</c>
    /// with a pattern. We always write numbers; a client should send them: the contract says integer.
    /// </summary>
    private static void NumbersAreNumbers(OpenApiSchema schema)
    {
        if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)) && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
    }

    /// <summary>Fields that carry one of a fixed set of words: the words come from the domain, the one place they are defined.</summary>
    private static readonly Dictionary<(Type, string), IReadOnlyCollection<string>> Enumerated = new()
    {
        [(typeof(SubmitIntake.Command), "pace")] = WireNames.PaceNames,
        [(typeof(SubmitIntake.Command), "preferredFormat")] = WireNames.FormatNames,
        [(typeof(SubmitIntake.Response), "pace")] = WireNames.PaceNames,
        [(typeof(SubmitIntake.Response), "status")] = IntakeStatuses,
        [(typeof(IntakeWorklist.Item), "status")] = IntakeStatuses,
        [(typeof(IntakeWorklist.Item), "pace")] = WireNames.PaceNames,
        [(typeof(IntakeWorklist.Item), "preferredFormat")] = WireNames.FormatNames,
        [(typeof(IntakeDetail.View), "status")] = IntakeStatuses,
        [(typeof(IntakeDetail.View), "pace")] = WireNames.PaceNames,
        [(typeof(IntakeDetail.View), "chosenPaceNow")] = WireNames.PaceNames,
        [(typeof(IntakeDetail.View), "preferredFormat")] = WireNames.FormatNames,
        [(typeof(IntakeDetail.View), "closedReason")] = CloseReasonNames.All,
        [(typeof(ClientData.ExportView), "pace")] = WireNames.PaceNames,
        [(typeof(ClientData.ExportedRequest), "status")] = IntakeStatuses,
        [(typeof(ClientData.ExportedRequest), "pace")] = WireNames.PaceNames,
        [(typeof(ClientData.ExportedRequest), "preferredFormat")] = WireNames.FormatNames,
        [(typeof(ClientData.ExportedRequest), "closedReason")] = CloseReasonNames.All,
        [(typeof(ChangeIntake.CloseForm), "reason")] = CloseReasonNames.All,
        [(typeof(Therapists.ProfileForm), "formats")] = WireNames.FormatNames,
        [(typeof(Therapists.View), "formats")] = WireNames.FormatNames,
        [(typeof(InviteStaff.Command), "role")] = StaffRoles.All,
        [(typeof(InviteStaff.Invitation), "role")] = StaffRoles.All,
        [(typeof(SignIn.StaffMember), "role")] = StaffRoles.All,
    };

    /// <summary>What a client cannot guess from a member's name and type: defaults, the honeypot, the consent that must be given.</summary>
    private static readonly Dictionary<(Type, string), string> Explanations = new()
    {
        [(typeof(SubmitIntake.Command), "timeZone")] = "An IANA time zone such as America/Chicago; without it, the practice's own.",
        [(typeof(SubmitIntake.Command), "pace")] = "How often the practice may write; without it, gentle.",
        [(typeof(SubmitIntake.Command), "preferredFormat")] = "How the person would like to meet; without it, either.",
        [(typeof(SubmitIntake.Command), "website")] = "A trap for bots: leave it out or empty. When it is filled, the answer looks like a success and nothing is stored.",
        [(typeof(SubmitIntake.ConsentAnswer), "contact")] = "Must be true: the person agrees to be contacted about this request.",
        [(typeof(SubmitIntake.ConsentAnswer), "version")] = "The version of the consent text the form showed (letters, digits, '.', '_', '-').",
        [(typeof(SignIn.Command), "twoFactorCode")] = "The authenticator app's 6-digit code, once two-factor sign-in is on.",
    };

    private static void Explain(OpenApiSchema schema, Type type)
    {
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is OpenApiSchema concrete && Explanations.TryGetValue((type, name), out var explanation))
            {
                concrete.Description = explanation;
            }
        }
    }

    private static void ListEnumeratedValues(OpenApiSchema schema, Type type)
    {
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (!Enumerated.TryGetValue((type, name), out var values) || property is not OpenApiSchema concrete)
            {
                continue;
            }

            var target = concrete.Type?.HasFlag(JsonSchemaType.Array) == true && concrete.Items is OpenApiSchema items ? items : concrete;
            var nullable = target.Type?.HasFlag(JsonSchemaType.Null) == true;
            // JSON Schema's enum lists every allowed value: a nullable field lists null too.
            target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)), .. nullable ? new JsonNode[] { null! } : []];
        }
    }
}
