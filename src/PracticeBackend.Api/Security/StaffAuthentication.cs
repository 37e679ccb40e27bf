using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Staff sign in with ASP.NET Core Identity on our PostgreSQL. The cookie holds only a session id
/// (sessions live in <c>staff_sessions</c>), so signing out ends the session on the server.
/// No public registration: admins invite staff.
/// </summary>
internal static class StaffAuthentication
{
    public const string StaffPolicy = "Staff";
    public const string AdminPolicy = "Admin";
    public const string TherapistIdClaim = "practice:therapist_id";
    public const string CookieName = "practice.staff";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(12);

    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddIdentityCore<StaffUser>(o =>
            {
                o.User.RequireUniqueEmail = true;

                // Length over composition rules (NIST SP 800-63B); PasswordStrengthValidator refuses guessable ones.
                o.Password.RequiredLength = 12;
                o.Password.RequiredUniqueChars = 4;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<PracticeDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<StaffClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            // Under Identity's own name and after it, so it replaces Identity's authenticator provider: codes work once.
            .AddTokenProvider<SingleUseAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider)
            .AddPasswordValidator<PasswordStrengthValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EqualRefusalCost>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddSingleton<DbTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<DbTicketStore>((cookie, sessions) =>
            {
                cookie.SessionStore = sessions;
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                // Plain-HTTP localhost only while developing or testing; everywhere else HTTPS-only.
                cookie.Cookie.SecurePolicy = environment.IsDevelopment() || environment.IsEnvironment("Testing")
                    ? CookieSecurePolicy.SameAsRequest
                    : CookieSecurePolicy.Always;
                cookie.ExpireTimeSpan = IdleTimeout;
                cookie.SlidingExpiration = true;

                // An API answers with a status, not a redirect to a login page; the dashboard's pages go to its sign-in.
                cookie.LoginPath = DashboardSignInPath;
                cookie.Events.OnRedirectToLogin = context => IsDashboard(context.Request)
                    ? RedirectToSignIn(context)
                    : Status(context.Response, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => Status(context.Response, StatusCodes.Status403Forbidden);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.RequireRole(StaffRoles.Admin, StaffRoles.Therapist))
            .AddPolicy(AdminPolicy, p => p.RequireRole(StaffRoles.Admin));
        services.AddSingleton<StartUpLock>(); // DatabaseMigrator takes it too
        services.AddHostedService<FirstAdmin>();
        return services;
    }

    public const string DashboardSignInPath = "/dashboard/sign-in";

    private static bool IsDashboard(HttpRequest request) => request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase);

    /// <summary>Back to the page asked for after signing in: a path on this site only, never another address.</summary>
    private static Task RedirectToSignIn(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        var back = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        context.Response.Redirect(DashboardSignInPath + QueryString.Create("returnUrl", back.ToString()));
        return Task.CompletedTask;
    }

    private static Task Status(HttpResponse response, int statusCode)
    {
        response.StatusCode = statusCode;
        return Task.CompletedTask;
    }
}

/// <summary>Adds the linked therapist profile to the sign-in, so every request knows whose data is whose.</summary>
internal sealed class StaffClaimsPrincipalFactory(
    UserManager<StaffUser> users,
    RoleManager<IdentityRole<Guid>> roles,
    IOptions<IdentityOptions> options) : UserClaimsPrincipalFactory<StaffUser, IdentityRole<Guid>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.TherapistId is { } therapistId)
        {
            identity.AddClaim(new Claim(StaffAuthentication.TherapistIdClaim, therapistId.ToString()));
        }

        return identity;
    }
}
