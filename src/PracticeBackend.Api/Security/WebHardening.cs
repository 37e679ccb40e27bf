using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;

namespace PracticeBackend.Api.Security;

/// <summary>Rate limits on the public doors, forwarded headers from known proxies only, security headers on every answer.</summary>
internal static class WebHardening
{
    public const string IntakePolicy = "public-intake";
    public const string SignInPolicy = "sign-in";
    public const string LinksPolicy = "public-links";

    public static IServiceCollection AddWebHardening(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(PracticeOptions.Section).Get<PracticeOptions>() ?? new PracticeOptions();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(IntakePolicy, context => PerClientIp(context, options.RateLimits.IntakePerMinute));
            limiter.AddPolicy(SignInPolicy, context => PerClientIp(context, options.RateLimits.SignInPerMinute));
            limiter.AddPolicy(LinksPolicy, context => PerClientIp(context, options.RateLimits.LinksPerMinute));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests for now",
                        Detail = $"Nothing is wrong with what you sent. Please try again in {seconds} seconds.",
                    },
                });
            };
        });

        var proxies = KnownProxies.Parse(options.Network.KnownProxies);
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Both lists empty would make the middleware believe every peer; only listed proxies are believed.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.ForwardedHeaders = proxies.IsEmpty
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var address in proxies.Addresses)
            {
                forwarded.KnownProxies.Add(address);
            }

            foreach (var network in proxies.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });

        // The Server header only tells an attacker which software to aim at.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = true;
        });
        return services;
    }

    private static readonly PathString IntakePage = "/intake";

    public static WebApplication UseWebHardening(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.ForwardedHeaders != ForwardedHeaders.None)
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.UseHsts();
        }

        var embedders = app.Services.GetRequiredService<IOptions<PracticeOptions>>().Value.Embedding.FrameAncestors.Select(o => o.TrimEnd('/')).ToArray();

        // The three policies a response may get, made once: ours, the embeddable form's, the operators' dashboards'.
        var ourPages = ContentSecurityPolicy("'self'", "'none'");
        var embeddedForm = ContentSecurityPolicy("'self'", embedders.Length == 0 ? "'none'" : string.Join(' ', embedders));
        var operatorDashboards = ContentSecurityPolicy("'self' 'unsafe-inline'", "'none'");
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var path = context.Request.Path;
                headers.XContentTypeOptions = "nosniff";
                // Links in emails carry tokens: no page says where it was. The dashboard's addresses hold only ids, and
                // "same-origin" lets the browser send its real Origin on the dashboard's own form posts (ADR 0005).
                headers["Referrer-Policy"] = path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase) ? "same-origin" : "no-referrer";

                // Only the public form may be framed, and only by the practice's own site (Practice:Embedding:FrameAncestors).
                // Our pages carry no inline style or script. The operators' dashboards (Hangfire's, Orleans') are
                // other projects' pages that set inline styles; they are admin-only and keep that allowance.
                var embeddable = embedders.Length > 0 && path.StartsWithSegments(IntakePage, StringComparison.OrdinalIgnoreCase);
                if (!embeddable)
                {
                    headers.XFrameOptions = "DENY";
                }

                headers.ContentSecurityPolicy = embeddable ? embeddedForm
                    : path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/orleans") ? operatorDashboards
                    : ourPages;

                // Anything from the API may carry health information or a person's request: never cache it.
                if (!context.Request.Path.StartsWithSegments("/health"))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                return Task.CompletedTask;
            });
            await next(context);
        });
        return app;
    }

    private static string ContentSecurityPolicy(string styles, string frameAncestors) =>
        $"default-src 'self'; script-src 'self'; style-src {styles}; img-src 'self' data:; " +
        $"connect-src 'self'; object-src 'none'; frame-ancestors {frameAncestors}; base-uri 'none'; form-action 'self'";

    private static RateLimitPartition<string> PerClientIp(HttpContext context, int permitsPerMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
}
