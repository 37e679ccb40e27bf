using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Our pages' forms are posted url-encoded by browsers. A POST whose body is something else (JSON, XML), or a
/// field name — in the form or the query — that MVC's binders cannot parse (<c>a[b</c>: "invalid JQuery syntax"),
/// would throw while the page's fields are bound, and answer 500. Before binding, it gets a 415 or a 400 instead.
/// A POST with no body at all still reaches the page (a one-click unsubscribe from a client that sends nothing:
/// RFC 8058 asks for a form, not every client does). A body that claims to be a form and is not fails in
/// <c>ReadFormAsync</c>, which <see cref="Hosting.ProblemDetailsExceptionHandler"/> answers 400.
/// </summary>
internal sealed class UnreadableFormFilter : IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!request.Query.Keys.All(HasClosedBrackets))
        {
            context.Result = new StatusCodeResult(StatusCodes.Status400BadRequest);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
                if (!form.Keys.All(HasClosedBrackets))
                {
                    context.Result = new StatusCodeResult(StatusCodes.Status400BadRequest);
                    return;
                }
            }
            else if (request.ContentType is not null || request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                context.Result = new StatusCodeResult(StatusCodes.Status415UnsupportedMediaType);
                return;
            }
        }

        await next();
    }

    /// <summary>Each <c>[</c> closed before the next opens, as <c>Days[1]</c> and <c>Overrides[0].Date</c> are.</summary>
    private static bool HasClosedBrackets(string key)
    {
        var open = false;
        foreach (var c in key)
        {
            if (c == '[')
            {
                if (open)
                {
                    return false;
                }

                open = true;
            }
            else if (c == ']')
            {
                open = false;
            }
        }

        return !open;
    }
}
