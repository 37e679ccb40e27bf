using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Anti-forgery for cookie-authenticated changes (ADR 0005): the staff cookie is SameSite=Strict, and
/// a state-changing request under /api/staff, /api/auth, the staff dashboard's pages (/dashboard) or the
/// operators' dashboards (/hangfire, /orleans, which act on the same cookie) that a browser marks as cross-site — by its Origin, or
/// failing that its Sec-Fetch-Site — is refused before any handler runs.
/// </summary>
internal sealed class OriginCheck(RequestDelegate next, IOptions<PracticeOptions> practice)
{
    private static readonly PathString[] Guarded = ["/api/staff", "/api/auth", "/dashboard", "/hangfire", "/orleans"];

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (IsGuarded(context.Request) && !IsSameSiteOrNonBrowser(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Cross-site request refused",
                    Detail = "Changes to staff data must come from the practice's own pages.",
                },
            });
            return;
        }

        await next(context);
    }

    private static bool IsGuarded(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        && Guarded.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    private bool IsSameSiteOrNonBrowser(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        var site = request.Headers["Sec-Fetch-Site"].ToString();

        // Under our Referrer-Policy (no-referrer) a browser posts a form with "Origin: null", even from our own page;
        // it still says where the post came from, and only a post it marks as from this very origin is let through.
        if (origin == "null")
        {
            return site == "same-origin";
        }

        if (origin.Length > 0)
        {
            return origin == $"{request.Scheme}://{request.Host}" || AllowedOrigins().Contains(origin);
        }

        // No Origin: a browser still says where the request came from; tools (curl, tests) say nothing.
        return site.Length == 0 || site is "same-origin" or "none";
    }

    private HashSet<string> AllowedOrigins()
    {
        var options = practice.Value;
        var allowed = new HashSet<string>(options.Staff.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        if (options.PublicBaseUrl is { } publicBase)
        {
            allowed.Add(publicBase.GetLeftPart(UriPartial.Authority));
        }

        return allowed;
    }
}
