using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

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

    /// <summary>No JSON body here is anywhere near this; it bounds what the guard buffers before binding.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const string TooLarge = "The request is too large";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        // Only bodies an endpoint will bind as JSON: nothing is buffered for unknown paths or form posts.
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (HttpMethods.IsGet(context.Request.Method) || !context.Request.HasJsonContentType()
            || accepts is null || !accepts.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        // The guard reads bytes as UTF-8, which is what JSON is (RFC 8259); another declared charset could hide a NUL from it.
        var charset = MediaTypeHeaderValue.Parse(context.Request.ContentType).Charset.ToString().Trim('"');
        if (charset.Length > 0 && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, problems, StatusCodes.Status415UnsupportedMediaType, "Send JSON encoded as UTF-8", null);
            return;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await RefuseAsync(context, problems, StatusCodes.Status413PayloadTooLarge, TooLarge, null);
            return;
        }

        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        try
        {
            await CopyAtMostAsync(context.Request.Body, body, MaxBodyBytes + 1, context.RequestAborted);
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away mid-upload: there is no one to answer
        }

        if (body.Length > MaxBodyBytes)
        {
            await RefuseAsync(context, problems, StatusCodes.Status413PayloadTooLarge, TooLarge, null);
            return;
        }

        context.Request.Body.Position = 0;
        switch (FirstRefusedField(body.GetBuffer().AsSpan(0, (int)body.Length)))
        {
            case Refusal.ControlCharacter control:
                await RefuseAsync(context, problems, StatusCodes.Status400BadRequest, "The request could not be read", (control.Field, StrictJson.ControlCharacterRefused));
                return;
            case Refusal.NotUnicode:
                await RefuseAsync(context, problems, StatusCodes.Status400BadRequest, "The request could not be read", ("body", "The body is not valid UTF-8 text."));
                return;
        }

        await next(context);
    }

    private static async Task RefuseAsync(HttpContext context, IProblemDetailsService problems, int status, string title, (string Field, string Message)? field)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = field is { } error
                ? new ValidationProblemDetails(new Dictionary<string, string[]> { [error.Field] = [error.Message] }) { Status = status, Title = title }
                : new ProblemDetails { Status = status, Title = title },
        });
    }

    private static async Task CopyAtMostAsync(Stream from, Stream to, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while (to.Length < limit && (read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - to.Length)), cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private abstract record Refusal
    {
        public sealed record ControlCharacter(string Field) : Refusal;

        public sealed record NotUnicode : Refusal;
    }

    /// <summary>
    /// The first text holding a refused character, by its path ("consent.version", "specialties[1]"), or
    /// text that is not Unicode; null when all is well (also for JSON that does not parse: binding answers that).
    /// </summary>
    private static Refusal? FirstRefusedField(ReadOnlySpan<byte> json)
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
                            // Name the place that holds the key, never the key itself (it carries the character).
                            path[^1] = path[^1] with { Property = null };
                            return new Refusal.ControlCharacter(Describe(path));
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
                            return new Refusal.ControlCharacter(Describe(path));
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
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString: invalid UTF-8, or an escaped lone surrogate.
            return new Refusal.NotUnicode();
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
