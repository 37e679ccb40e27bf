using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Internal;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Hangfire;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using Orleans.Dashboard;
using PracticeBackend.Api.Features.Auth;
using PracticeBackend.Api.Features.Intake;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Grains;
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
            .Validate(o => o.Email.Wording is null || !MessageTemplates.WordingViolations(o.Email.Wording).Any(),
                "Practice:Email:Wording fails the tone guard (docs/tone-guard.md): no urgency, scarcity, guilt or deadlines.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Email.SignerName), "Practice:Email:SignerName: messages are signed by a named person.")
            .Validate(o => o.Embedding.FrameAncestors.All(EmbeddingSettings.IsOrigin),
                "Practice:Embedding:FrameAncestors: each is an origin such as https://www.example-practice.org (https, no path, no wildcard).")
            .ValidateOnStart();

        var connectionString = configuration.GetConnectionString("Practice")
            ?? throw new InvalidOperationException("ConnectionStrings:Practice is not set. ./run.sh sets it for a local database; see README.md.");
        // Pooled: a context is reset and reused rather than built per command (measured: docs/benchmarks.md).
        services.AddPooledDbContextFactory<PracticeDbContext>(options => PracticeDatabase.Configure(options, connectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContext()); // Identity, Data Protection

        // Registered before the silo so that migrations run before anything reads the tables.
        services.AddHostedService<DatabaseMigrator>();

        services.AddPracticeKeyRing(configuration, builder.Environment);
        services.AddSingleton<PhiProtector>();
        services.AddSingleton<BlindIndex>();
        services.AddSingleton(new PracticeClock(TimeProvider.System));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PracticeOptions>>().Value.Pacing.ToSettings());
        services.AddPracticeEmail(configuration);
        services.AddSingleton<IntakeMetrics>();

        builder.UseOrleans(orleans =>
        {
            PracticeCluster.Configure(orleans, configuration);
            orleans.AddDashboard();
        });
        builder.AddPracticeTelemetry();

        services.AddHttpContextAccessor();
        services.AddScoped<StaffContext>();
        services.AddTransient<Features.Offers.OfferLinks>();
        // The staff dashboard needs a signed-in member of staff; its admin pages an admin. Sign-in is open.
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Dashboard", StaffAuthentication.StaffPolicy);
            o.Conventions.AuthorizeFolder("/Dashboard/Admin", StaffAuthentication.AdminPolicy);
            o.Conventions.AllowAnonymousToPage("/Dashboard/SignIn");
            o.Conventions.ConfigureFilter(new UnreadableFormFilter());
        });
        services.AddSingleton<Pages.IntakeFormTokens>();
        services.AddSingleton<AuditTrail>();
        services.AddStaffAuthentication(builder.Environment);
        services.AddWebHardening(configuration);
        services.AddBackgroundJobs(configuration);

        // Problems name fields as the JSON does: "consent.contact", not "Consent.Contact".
        ValidatorOptions.Global.PropertyNameResolver = JsonFieldName;
        ValidatorOptions.Global.DisplayNameResolver = JsonFieldName;
        services.AddPracticeMediator();

        services.AddStrictJson();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsExceptionHandler.Describe);
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        // Our handler logs every unhandled exception without its message (ADR 0006); the middleware's own log would
        // write the message too, which may quote what a person typed.
        services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = _ => true);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddPracticeHealthChecks();
        services.AddPracticeOpenApi();
        return builder;
    }

    public static WebApplication UsePracticeBackend(this WebApplication app)
    {
        app.UseWebHardening();
        app.UseStaticFiles();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<OriginCheck>();
        app.UseMiddleware<DashboardFormGuard>();
        app.UseRateLimiter();
        app.UseStrictJson();

        var intake = app.MapGroup("/api/intake").WithTags("Intake");
        SubmitIntake.Map(intake);
        GetIntakeStatus.Map(intake);

        Features.Offers.Offers.MapPublic(app);

        var auth = app.MapGroup("/api/auth").WithTags("Staff sign-in");
        SignIn.Map(auth);
        SignOut.Map(auth);
        TwoFactor.Map(auth);

        var staff = app.MapGroup("/api/staff").WithTags("Staff").RequireAuthorization(StaffAuthentication.StaffPolicy);
        var queue = staff.MapGroup("/intake");
        IntakeWorklist.Map(queue);
        IntakeDetail.Map(queue);
        ChangeIntake.Map(queue);
        Messages.Map(queue);
        Features.Offers.Offers.MapStaff(queue);
        Therapists.Map(staff);
        Availability.Map(staff);
        Appointments.Map(staff);
        CalendarFeed.Map(staff, app);
        InviteStaff.Map(staff, auth);
        ClientData.Map(staff);
        AuditLog.Map(staff);

        // Operators' dashboards: admins only, through the same cookie; they show ids, never PHI.
        // Razor Pages bring ASP.NET Core anti-forgery, which the dashboard would then demand of its own forms; its
        // POSTs are guarded as every staff change is, by the SameSite=Strict cookie and the origin check (ADR 0005).
        app.MapHangfireDashboard("/hangfire", new Hangfire.DashboardOptions { Authorization = [], DisplayStorageConnectionString = false, IgnoreAntiforgeryToken = true })
            .RequireAuthorization(StaffAuthentication.AdminPolicy);
        app.MapOrleansDashboard("/orleans").RequireAuthorization(StaffAuthentication.AdminPolicy);

        app.MapRazorPages();
        app.MapPracticeHealthChecks();
        app.MapPracticeOpenApi();
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
