using Microsoft.AspNetCore.Mvc;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Hangfire's dashboard reads a form on every POST, and on <c>/stats</c> whatever the method; asked
/// without one it throws, which would answer 500. Such requests get a 4xx here instead.
/// </summary>
internal sealed class DashboardFormGuard(RequestDelegate next)
{
    private static readonly PathString Dashboard = "/hangfire";
    private static readonly PathString Stats = "/stats";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments(Dashboard, StringComparison.OrdinalIgnoreCase, out var route))
        {
            var isPost = HttpMethods.IsPost(request.Method);
            if (!isPost && route.Equals(Stats, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.Allow = HttpMethods.Post;
                await RefuseAsync(context, problems, StatusCodes.Status405MethodNotAllowed,
                    "This address takes POST only", "The dashboard asks for its numbers with a POST; open /hangfire to see them.");
                return;
            }

            if (isPost && !request.HasFormContentType)
            {
                await RefuseAsync(context, problems, StatusCodes.Status415UnsupportedMediaType,
                    "The dashboard expects a form", "Send the body as application/x-www-form-urlencoded, as the dashboard's own pages do.");
                return;
            }
        }

        await next(context);
    }

    private static async Task RefuseAsync(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
