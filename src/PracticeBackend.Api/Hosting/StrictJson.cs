using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// One strict reading for every JSON body: text must not carry control characters (PostgreSQL cannot
/// store NUL, and nobody types the others into a form), and a key may appear only once (otherwise the last
/// one would silently win). Responses are written exactly as before.
/// </summary>
/// <remarks>
/// Control characters are refused by reading the body before it is bound, not by a string converter: a
/// converter for <see cref="string"/> would hide from the OpenAPI exporter that strings are strings.
/// </remarks>
internal static class StrictJson
{
    public const string ControlCharacterRefused =
        "This text contains a control character (such as NUL) that can't be stored. Please remove it and send it again.";

    public static IServiceCollection AddStrictJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.AllowDuplicateProperties = false);

    public static IApplicationBuilder UseStrictJson(this IApplicationBuilder app) => app.UseMiddleware<ControlCharacterGuard>();
}

/// <summary>Answers 400 naming the field when a JSON body's text (a value or a key) holds a C0 control other than tab, CR or LF.</summary>
internal sealed class ControlCharacterGuard(RequestDelegate next)
{
    private static readonly SearchValues<char> Refused =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(c => (char)c).Where(c => c is not ('\t' or '\r' or '\n'))]);

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (!context.Request.HasJsonContentType() || HttpMethods.IsGet(context.Request.Method))
        {
            await next(context);
            return;
        }

        // Read within the endpoint's own size limit (a larger body throws and is answered 413).
        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Request.Body.Position = 0;

        if (FirstRefusedField(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } field)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [StrictJson.ControlCharacterRefused] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request could not be read",
                },
            });
            return;
        }

        await next(context);
    }

    /// <summary>The path of the first text holding a refused character ("consent.version", "specialties[1]"), or null (also for JSON that does not parse: binding answers that).</summary>
    private static string? FirstRefusedField(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var path = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        path[^1] = path[^1] with { Property = name };
                        if (name.AsSpan().ContainsAny(Refused))
                        {
                            return Describe(path);
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, null, -1));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.String:
                        Advance(path);
                        if (reader.GetString()!.AsSpan().ContainsAny(Refused))
                        {
                            return Describe(path);
                        }

                        break;
                    default:
                        Advance(path);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>A value in an array moves the array's index on.</summary>
    private static void Advance(List<Frame> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string Describe(List<Frame> path)
    {
        var text = new StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsArray)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"[{frame.Index}]");
            }
            else if (frame.Property is { } property)
            {
                text.Append(text.Length > 0 ? "." : "").Append(property);
            }
        }

        return text.Length > 0 ? text.ToString() : "body";
    }

    private readonly record struct Frame(bool IsArray, string? Property, int Index);
}
