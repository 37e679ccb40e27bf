using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

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
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception);
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

    private static ValidationProblemDetails FromValidation(ValidationException exception) =>
        new(exception.Errors
            .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Some answers need another look",
        };

    private static ProblemDetails FromBadRequest(BadHttpRequestException exception) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = "The request is too large",
            Detail = "Requests to this address may be at most 64 KB.",
        },
        StatusCodes.Status415UnsupportedMediaType => new ProblemDetails
        {
            Status = StatusCodes.Status415UnsupportedMediaType,
            Title = "Unsupported content type",
            Detail = "Send the body as application/json.",
        },
        _ => FieldProblem(exception),
    };

    private static ValidationProblemDetails FieldProblem(BadHttpRequestException exception)
    {
        // System.Text.Json names the failing place as a JSON path ("$.consent.contact"); that is the field.
        var field = exception.InnerException is JsonException { Path: { Length: > 1 } path }
            ? path.TrimStart('$', '.')
            : "body";
        var message = field == "body"
            ? "The body must be a JSON object in the shape this endpoint describes."
            : "This value has the wrong type or could not be read.";
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request could not be read",
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception while serving a request")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
