using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Pages.Links;

/// <summary>
/// The page behind each control link in an email (stop, pause, pace, not now, confirm address, reminders,
/// erase), at <c>ContactLinks.RoutePrefix</c>. Opening it only shows the question and its button (mail scanners
/// follow links); the button posts <see cref="EmailLinks.Act"/>. The person comes from an email with no
/// cookie, and a mail provider's RFC 8058 one-click POST carries no token, so there is no anti-forgery token.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class EmailLinkModel(IMediator mediator) : PageModel
{
    public string Title { get; private set; } = EmailLinks.GoneTitle;

    public string Text { get; private set; } = EmailLinks.GoneText;

    /// <summary>The control the page asks about (its buttons are shown); null once answered.</summary>
    public string? Asking { get; private set; }

    /// <summary>The way back after the answer (resume after a pause, reminders back on), or null.</summary>
    public string? ResumeLabel { get; private set; }

    /// <summary>After a stop: the form is the way to write again.</summary>
    public bool OfferNewForm { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken) =>
        await mediator.Send(new EmailLinks.Look(token), cancellationToken) is { } purpose ? Ask(purpose) : Gone();

    public async Task<IActionResult> OnPostAsync(string token, [FromForm] string? days, [FromForm] string? pace, [FromForm] string? resume, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }

        var answer = await mediator.Send(new EmailLinks.Act(token, days, pace, Resume: resume is not null), cancellationToken);
        switch (answer)
        {
            case { Gone: true }:
                return Gone();
            case { AskAgainFor: { } purpose }:
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Ask(purpose);
            default:
                (Title, Text) = (answer.Title, answer.Text);
                ResumeLabel = answer.OfferResume ? answer.ResumeLabel : null;
                OfferNewForm = answer.OfferNewForm;
                return Page();
        }
    }

    /// <summary>The pace choices, in the person's words, as the pace link offers them.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Paces =
    [
        ("when-ready", "I'll reach out when I'm ready (no check-ins)"),
        ("gentle", "A gentle check-in is fine"),
        ("check-in-2-weeks", "Check in with me in 2 weeks"),
        ("check-in-1-month", "Check in with me in 1 month"),
        ("check-in-3-months", "Check in with me in 3 months"),
    ];

    private PageResult Ask(string purpose)
    {
        (string Title, string Text)? question = purpose switch
        {
            TokenPurposes.Stop => ("Stop emails from us?", "One click and we won't write again. Nothing else is needed."),
            TokenPurposes.Pause => ("Pause emails for a while?", "We won't write during the pause. Choose how long:"),
            TokenPurposes.ChangePace => ("How often may we check in?", "Choose what suits you; you can change it again any time."),
            TokenPurposes.NotNow => ("Not now, or no thanks?", "That's completely fine. We'll close your request and send one short note to confirm, then nothing more."),
            TokenPurposes.ConfirmAddress => ("Was it you who wrote to us?", "If you sent us a message with this email address and would like a reply, confirm here. If not, you can close this page: nothing will change."),
            TokenPurposes.Reminders => ("Turn off session reminders?", "We'll stop sending the short note before each session. Your sessions stay as they are."),
            TokenPurposes.Erase => ("Erase your details?", "We'll remove your name, contact details and what you wrote to us, and we won't contact you again. This can't be undone."),
            _ => null,
        };
        if (question is not { } asked)
        {
            return Gone();
        }

        (Title, Text, Asking) = (asked.Title, asked.Text, purpose);
        return Page();
    }

    private PageResult Gone()
    {
        (Title, Text, Asking) = (EmailLinks.GoneTitle, EmailLinks.GoneText, null);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
