using System.Diagnostics;
using System.Reflection;
using FluentValidation;
using MediatR;

namespace PracticeBackend.Api.Hosting;

/// <summary>MediatR 5.1.0 wired by hand (ADR 0002): handlers and validators found in this assembly.</summary>
internal static class Mediator
{
    public static IServiceCollection AddPracticeMediator(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, MediatR.Mediator>();

        // Order matters: logging wraps validation, so refused requests are logged too.
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));

        var openTypes = new[] { typeof(IRequestHandler<,>), typeof(IValidator<>) };
        foreach (var type in Assembly.GetExecutingAssembly().GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (var contract in type.GetInterfaces())
            {
                if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IValidator<>))
                {
                    // A validator's rules are built once (FluentValidation's are thread-safe once built):
                    // building them per request was a measurable share of an intake (docs/benchmarks.md).
                    services.AddSingleton(contract, type);
                }
                else if (contract.IsGenericType && openTypes.Contains(contract.GetGenericTypeDefinition()))
                {
                    services.AddTransient(contract, type);
                }
            }
        }

        return services;
    }
}

/// <summary>Runs every FluentValidation validator of the request; any failure becomes one 400 naming each field.</summary>
internal sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, cancellationToken);
            failures.AddRange(result.Errors);
        }

        return failures.Count > 0 ? throw new ValidationException(failures) : await next();
    }
}

/// <summary>
/// One line per request: its type, outcome and duration. Never the request itself — it may carry PHI;
/// handlers log the ids they create.
/// </summary>
internal sealed partial class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly string RequestName = typeof(TRequest).FullName ?? typeof(TRequest).Name;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogHandled(logger, RequestName, elapsed);
            return response;
        }
        catch (Exception exception)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var exceptionType = exception.GetType().Name;
            LogFailed(logger, RequestName, exceptionType, elapsed);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handled {Request} in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string request, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Request} ended with {ExceptionType} after {ElapsedMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, string request, string exceptionType, double elapsedMs);
}
