using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// The one place an exception becomes an answer. Bad input gets a 4xx naming the field; anything
/// else a 500 that says nothing about our internals. Exception messages are never echoed: they
/// can carry what a person typed.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ValidationException validation => FromValidation(validation),
            BadHttpRequestException badRequest => FromBadRequest(badRequest),
            // A broken or over-limit form body (ReadFormAsync: bad multipart, too many or too long values).
            InvalidDataException or IOException when httpContext.Request.HasFormContentType => UnreadableForm(),
            _ when DatabaseOutage.Is(exception) => Outage(httpContext, exception),
            Grains.Clients.AggregateConflictException => Busy(httpContext),
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, WithoutMessages(exception));
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Something went wrong on our side",
                Detail = "Please try again in a little while.",
            };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>
    /// The database is away for a moment: a 503 that says when to try again. Whether a write committed before
    /// the connection broke cannot be known here, so the answer says what makes a retry safe.
    /// </summary>
    private ProblemDetails Outage(HttpContext httpContext, Exception exception)
    {
        LogOutage(logger, exception.GetType().Name);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "We couldn't finish this just now",
            Detail = $"Our database is briefly unavailable. Please try again in about {RetryAfterSeconds} seconds. "
                + "Nothing was lost if you send it again with the same Idempotency-Key: it will be stored once.",
        };
    }

    private const int RetryAfterSeconds = 5;

    /// <summary>Two writers changed the same record at the same moment, twice: nothing was written; a retry will see the winner.</summary>
    private static ProblemDetails Busy(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = "1";
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Someone else changed this at the same moment",
            Detail = "Nothing was changed by this request. Please try again.",
        };
    }

    private static ValidationProblemDetails FromValidation(ValidationException exception) =>
        new(exception.Errors
            .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Some answers need another look",
        };

    private static ProblemDetails FromBadRequest(BadHttpRequestException exception) =>
        exception.StatusCode == StatusCodes.Status400BadRequest
            ? FieldProblem(exception)
            : new ProblemDetails { Status = exception.StatusCode };

    /// <summary>
    /// Refusals the framework answers without an exception (413 before the body is read, 415 before
    /// binding) still reach a person's browser as problem+json; this gives them words.
    /// </summary>
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status413PayloadTooLarge when context.HttpContext.Request.Path.StartsWithSegments("/api/intake") =>
                $"Requests to this address may be at most {IntakeLimits.BodyMaxBytes / 1024} KB.",
            StatusCodes.Status413PayloadTooLarge => "This request is larger than this address accepts.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            _ => null,
        };
    }

    private static ValidationProblemDetails FieldProblem(BadHttpRequestException exception)
    {
        // System.Text.Json names the failing place as a JSON path ("$.consent.contact"); that is the field.
        var field = exception.InnerException is JsonException { Path: { Length: > 1 } path }
            ? path.TrimStart('$', '.')
            : "body";
        var message = field == "body"
            ? "The body must be a JSON object in the shape this endpoint describes."
            : "This value has the wrong type, appears more than once, or could not be read.";
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request could not be read",
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database was unavailable while serving a request ({ExceptionType}); answered 503")]
    private static partial void LogOutage(ILogger logger, string exceptionType);
    private static ProblemDetails UnreadableForm() => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The form could not be read",
        Detail = "Please go back to the page and press the button again.",
    };

    /// <summary>
    /// The exception's types and stack traces, without its messages: a framework's message may quote the request
    /// (a form field's name or value, a parsed string), and what a person typed never reaches a log.
    /// </summary>
    internal static string WithoutMessages(Exception exception)
    {
        var text = new System.Text.StringBuilder();
        Describe(exception, 0);
        return text.ToString();

        void Describe(Exception e, int depth)
        {
            text.Append(' ', depth * 2).Append(e.GetType().FullName);
            if (e is Npgsql.PostgresException postgres)
            {
                // The server's codes and names, never its message (which may quote a value).
                text.Append(" (SQLSTATE ").Append(postgres.SqlState).Append(", constraint ").Append(postgres.ConstraintName ?? "-").Append(')');
            }

            text.Append('\n').Append(e.StackTrace).Append('\n');
            var inner = e is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(e.InnerException is { } one ? [one] : []);
            foreach (var child in inner)
            {
                Describe(child, depth + 1);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception while serving a request: {Exception}")]
    private static partial void LogUnhandled(ILogger logger, string exception);
}
