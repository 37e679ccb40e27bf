using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using PracticeBackend.Api.Features.Offers;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Api.Pages.Links;

/// <summary>
/// A booked session's manage link, at <c>ContactLinks.ManageRoutePrefix</c>: opening it only shows the session
/// as it stands now; a button cancels it or asks for another time (<see cref="ManageSession.Act"/>). The
/// person comes from an email with no cookie: no anti-forgery token.
/// </summary>
[IgnoreAntiforgeryToken]
[EnableRateLimiting(Security.WebHardening.LinksPolicy)]
public sealed class SessionModel(IMediator mediator) : PageModel
{
    public string Title { get; private set; } = EmailLinks.GoneTitle;

    public string Text { get; private set; } = EmailLinks.GoneText;

    /// <summary>Whether the session is still ahead, so it can be cancelled or another time asked for.</summary>
    public bool CanChange { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken) =>
        await mediator.Send(new ManageSession.Look(token), cancellationToken) is { } session ? Show(session) : Gone();

    public async Task<IActionResult> OnPostAsync(string token, [FromForm] string? action, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }

        var answer = await mediator.Send(new ManageSession.Act(token, action), cancellationToken);
        switch (answer)
        {
            case { Outcome: ManageSession.ActOutcome.Cancelled }:
                (Title, Text) = ("Your session is cancelled",
                    "That's done. You'll get a short confirmation with a calendar update, and the time is free again. If you'd like to find another time, whenever suits you, you're welcome to write.");
                return Page();
            case { Outcome: ManageSession.ActOutcome.AnotherTimeAsked, Session: { } session }:
                (Title, Text) = ("Thank you for letting us know",
                    $"{session.TherapistFirstName} will look for another time and write to you. Until then your session stays booked, so nothing is lost.");
                return Page();
            case { Session: { } session }:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return Show(session);
            default:
                return Gone();
        }
    }

    private PageResult Show(ManageSession.SessionView session)
    {
        var format = session.Format == SessionFormat.Video ? "by video" : "in person";
        (Title, Text) = session.State switch
        {
            ManageSession.SessionState.Cancelled => ("This session was cancelled",
                $"The session on {session.InWords} was cancelled, so there is nothing to change here. If you'd like to find another time, whenever suits you, you're welcome to write to us."),
            ManageSession.SessionState.Ahead => ("Your session",
                $"{session.InWords}, with {session.TherapistFirstName}, {format}. If it no longer suits you, you can cancel it, or ask for another time and keep this one until then."),
            _ => ("This session has passed", $"The session on {session.InWords} is in the past. If you'd like to talk again, you're welcome to write to us."),
        };
        CanChange = session.State == ManageSession.SessionState.Ahead;
        return Page();
    }

    private PageResult Gone()
    {
        (Title, Text, CanChange) = (EmailLinks.GoneTitle, EmailLinks.GoneText, false);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
