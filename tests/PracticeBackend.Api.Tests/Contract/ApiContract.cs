using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace PracticeBackend.Api.Tests.Contract;

/// <summary>
/// The served OpenAPI 3.1 document, as a checker of real exchanges (ADR 0008): each request and response
/// a test makes under /api is held against what the document promises a client, with a JSON Schema
/// 2020-12 validator (OpenAPI 3.1's schema dialect).
/// </summary>
internal sealed class ApiContract
{
    private const string SchemaDialect = "https://json-schema.org/draft/2020-12/schema";

    private readonly JsonObject _definitions;
    private readonly List<Operation> _operations;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true,
    };

    public ApiContract(string documentText)
    {
        Text = documentText;
        Document = JsonNode.Parse(documentText)!.AsObject();
        var version = Document["openapi"]?.GetValue<string>() ?? "";
        if (!version.StartsWith("3.1.", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The served document is OpenAPI {version}; this checker reads 3.1 (JSON Schema 2020-12).");
        }

        // Every schema the document names, as $defs of each schema we evaluate: "#/components/schemas/X" → "#/$defs/X".
        _definitions = Rewrite(Document["components"]?["schemas"] ?? new JsonObject())!.AsObject();
        _operations = [.. Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => m.Key is "get" or "put" or "post" or "delete" or "patch")
            .Select(m => new Operation(m.Key.ToUpperInvariant(), path.Key, m.Value!.AsObject())))];
    }

    public string Text { get; }

    public JsonObject Document { get; }

    /// <summary>What is wrong with one exchange, or null when it keeps the contract.</summary>
    public string? Check(Exchange exchange)
    {
        var path = exchange.Path;
        var operation = _operations.Where(o => o.Method == exchange.Method && o.Matches(path) is not null)
            .OrderBy(o => o.Template.Count(c => c == '{'))
            .FirstOrDefault();
        if (operation is null)
        {
            // Asking for what the contract does not offer is fine, if the answer says so.
            return exchange.Status is 404 or 405
                ? null
                : $"{exchange.Method} {path} is not in the OpenAPI document, but the app answered {exchange.Status} (expected 404 or 405).";
        }

        var requestProblem = CheckRequest(operation, exchange);
        var name = $"{operation.Id} ({exchange.Method} {operation.Template})";
        if (requestProblem is not null && exchange.Status is < 400 or >= 500)
        {
            return $"{name}: the request breaks the contract ({requestProblem}), yet the app answered {exchange.Status}; a request outside the contract must get a 4xx.";
        }

        var responseProblem = CheckResponse(operation, exchange);
        return responseProblem is null ? null : $"{name} answered {exchange.Status}: {responseProblem}";
    }

    private string? CheckRequest(Operation operation, Exchange exchange)
    {
        var values = operation.Matches(exchange.Path)!;
        foreach (var parameter in operation.Parameters("path"))
        {
            var name = parameter["name"]!.GetValue<string>();
            if (Invalid(parameter["schema"], ParameterValue(parameter["schema"], values[name]), $"path {name}") is { } problem)
            {
                return problem;
            }
        }

        var query = ParseQuery(exchange.Query);
        foreach (var parameter in operation.Parameters("query"))
        {
            var name = parameter["name"]!.GetValue<string>();
            if (!query.TryGetValue(name, out var value))
            {
                if (parameter["required"]?.GetValue<bool>() == true)
                {
                    return $"query parameter {name} is required";
                }

                continue;
            }

            if (Invalid(parameter["schema"], ParameterValue(parameter["schema"], value), $"query {name}") is { } problem)
            {
                return problem;
            }
        }

        var body = operation.Node["requestBody"];
        if (exchange.RequestBody.Length == 0)
        {
            return body?["required"]?.GetValue<bool>() == true ? "the body is required but was empty" : null;
        }

        if (body?["content"] is not JsonObject content)
        {
            return null;
        }

        if (exchange.RequestMediaType is not { } mediaType || content[mediaType] is not JsonObject declared)
        {
            return $"the body's content type {exchange.RequestMediaType ?? "(none)"} is not one of: {string.Join(", ", content.Select(c => c.Key))}";
        }

        return ParseJson(exchange.RequestBody, out var json) is { } parseError
            ? $"the body is not JSON ({parseError})"
            : Invalid(declared["schema"], json, "request body");
    }

    private string? CheckResponse(Operation operation, Exchange exchange)
    {
        var responses = operation.Node["responses"]!.AsObject();
        var status = exchange.Status.ToString(CultureInfo.InvariantCulture);
        var response = responses[status]
            ?? responses[$"{status[0]}XX"]

            // Our documents use default for server-side failures only: a 4xx that only default covers was forgotten.
            ?? (exchange.Status >= 500 ? responses["default"] : null);
        if (response is null)
        {
            return $"status {status} is not declared (declared: {string.Join(", ", responses.Select(r => r.Key))})";
        }

        if (response["content"] is not JsonObject content || content.Count == 0)
        {
            return exchange.ResponseBody.Length == 0 ? null : $"no body is declared, but {exchange.ResponseBody.Length} bytes came";
        }

        if (exchange.ResponseBody.Length == 0)
        {
            return $"a body is declared ({string.Join(", ", content.Select(c => c.Key))}), but none came";
        }

        if (exchange.ResponseMediaType is not { } mediaType || content[mediaType] is not JsonObject declared)
        {
            return $"content type {exchange.ResponseMediaType ?? "(none)"} is not declared (declared: {string.Join(", ", content.Select(c => c.Key))})";
        }

        return ParseJson(exchange.ResponseBody, out var json) is { } parseError
            ? $"the body is not JSON ({parseError})"
            : Invalid(declared["schema"], json, "response body");
    }

    private string? Invalid(JsonNode? schemaNode, JsonNode? instance, string what)
    {
        if (schemaNode is null)
        {
            return null;
        }

        var schema = _schemas.GetOrAdd(schemaNode.ToJsonString(), key =>
        {
            var standalone = Rewrite(JsonNode.Parse(key))!.AsObject();
            standalone["$schema"] = SchemaDialect;
            standalone["$defs"] = _definitions.DeepClone();
            return JsonSchema.FromText(standalone.ToJsonString());
        });
        var result = schema.Evaluate(instance, Evaluation);
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"at '{d.InstanceLocation}' ({d.EvaluationPath}) {e.Key}: {e.Value}"))
            .Distinct()
            .Take(8);
        return $"the {what} does not match its schema {schemaNode.ToJsonString()}:\n  " + string.Join("\n  ", errors);
    }

    /// <summary>A path or query value is text; the schema says whether it stands for a number.</summary>
    private static JsonValue ParameterValue(JsonNode? schema, string value)
    {
        var type = schema?["type"] switch
        {
            JsonValue single => single.GetValue<string>(),
            JsonArray many => many.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            _ => null,
        };
        return type is "integer" or "number" && decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value);
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(pair => Unescape(pair[0]), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Unescape(g.First().ElementAtOrDefault(1) ?? ""), StringComparer.Ordinal);

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string? ParseJson(byte[] body, out JsonNode? json)
    {
        try
        {
            // A key given twice is no JSON object a schema can judge (and the app refuses it).
            json = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return null;
        }
        catch (JsonException exception)
        {
            json = null;
            return exception.Message;
        }
    }

    private static JsonNode? Rewrite(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return JsonNode.Parse(text.Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal));
    }

    private sealed class Operation(string method, string template, JsonObject node)
    {
        private readonly string[] _segments = template.Trim('/').Split('/');

        public string Method { get; } = method;

        public string Template { get; } = template;

        public JsonObject Node { get; } = node;

        public string Id => Node["operationId"]?.GetValue<string>() ?? "(no operationId)";

        public IEnumerable<JsonObject> Parameters(string location) =>
            (Node["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["in"]?.GetValue<string>() == location);

        /// <summary>The path's values by template name, or null when the path is not this operation's.</summary>
        public Dictionary<string, string>? Matches(string path)
        {
            var segments = path.Trim('/').Split('/');
            if (segments.Length != _segments.Length)
            {
                return null;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < segments.Length; i++)
            {
                if (_segments[i] is ['{', .. var name, '}'])
                {
                    values[name] = Uri.UnescapeDataString(segments[i]);
                }
                else if (!string.Equals(_segments[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }
            }

            return values;
        }
    }
}

/// <summary>One request and its answer, as the client sent and received them.</summary>
internal sealed record Exchange(
    string Method,
    string Path,
    string Query,
    string? RequestMediaType,
    byte[] RequestBody,
    int Status,
    string? ResponseMediaType,
    byte[] ResponseBody)
{
    public override string ToString()
    {
        static string Show(byte[] body) => body.Length == 0 ? "(empty)" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 600));
        return $"{Method} {Path}{Query} [{RequestMediaType}] {Show(RequestBody)}\n→ {Status} [{ResponseMediaType}] {Show(ResponseBody)}";
    }
}
