using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Internal;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Features.Intake;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;

namespace PracticeBackend.Api.Hosting;

/// <summary>Everything Program.cs wires, in the order it matters.</summary>
public static class PracticeBackendHost
{
    public static WebApplicationBuilder AddPracticeBackend(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<PracticeOptions>()
            .Bind(configuration.GetSection(PracticeOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => IanaTimeZone.IsValid(o.TimeZone), "Practice:TimeZone must be an IANA time zone id, e.g. America/Chicago.")
            .ValidateOnStart();

        var connectionString = configuration.GetConnectionString("Practice")
            ?? throw new InvalidOperationException("ConnectionStrings:Practice is not set. ./run.sh sets it for a local database; see README.md.");
        services.AddDbContextFactory<PracticeDbContext>(options => PracticeDatabase.Configure(options, connectionString));

        // Registered before the silo so that migrations run before anything reads the tables.
        services.AddHostedService<DatabaseMigrator>();

        services.AddDataProtection()
            .SetApplicationName("PracticeBackend")
            .PersistKeysToDbContext<PracticeDbContext>();
        services.AddSingleton<PhiProtector>();
        services.AddSingleton<BlindIndex>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IntakeMetrics>();

        var silo = configuration.GetSection($"{PracticeOptions.Section}:Silo").Get<SiloSettings>() ?? new SiloSettings();
        builder.UseOrleans(orleans => orleans.UseLocalhostClustering(
            silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId));

        // Problems name fields as the JSON does: "consent.contact", not "Consent.Contact".
        ValidatorOptions.Global.PropertyNameResolver = JsonFieldName;
        ValidatorOptions.Global.DisplayNameResolver = JsonFieldName;
        services.AddPracticeMediator();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsExceptionHandler.Describe);
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddPracticeHealthChecks();
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication UsePracticeBackend(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        var intake = app.MapGroup("/api/intake").WithTags("Intake");
        SubmitIntake.Map(intake);
        GetIntakeStatus.Map(intake);

        app.MapPracticeHealthChecks();
        app.MapOpenApi();
        return app;
    }

    private static string? JsonFieldName(Type type, MemberInfo? member, LambdaExpression? expression)
    {
        var path = expression is null ? member?.Name : PropertyChain.FromExpression(expression).ToString();
        return path is null
            ? null
            : string.Join('.', path.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
    }
}
