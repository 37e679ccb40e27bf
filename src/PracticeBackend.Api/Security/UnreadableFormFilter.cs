using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Our pages' forms are posted url-encoded by browsers. A POST that is not a form (JSON, nothing), or a form
/// with a field name MVC's binders cannot parse (<c>a[b</c>: "invalid JQuery syntax"), would throw while the
/// page's fields are bound, and answer 500. Before binding, it gets a 415 or a 400 instead. (A body that is not
/// a form at all fails in <c>ReadFormAsync</c>, which <see cref="Hosting.ProblemDetailsExceptionHandler"/> answers 400.)
/// </summary>
internal sealed class UnreadableFormFilter : IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsPost(request.Method))
        {
            if (!request.HasFormContentType)
            {
                context.Result = new StatusCodeResult(StatusCodes.Status415UnsupportedMediaType);
                return;
            }

            var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
            if (!form.Keys.All(HasClosedBrackets))
            {
                context.Result = new StatusCodeResult(StatusCodes.Status400BadRequest);
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
