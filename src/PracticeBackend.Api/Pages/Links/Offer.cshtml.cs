using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using PracticeBackend.Api.Features.Offers;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Pages.Links;

/// <summary>
/// The page an offer's link opens, at <c>ContactLinks.OfferRoutePrefix</c>: opening it only shows the offer,
/// since mail scanners follow links; each button answers it through <see cref="Offers.Pick"/> or
/// <see cref="Offers.Decline"/>. Every answer ends on a calm page that says what happened and, where it
/// helps, the one way on. The person comes from an email with no cookie: no anti-forgery token.
/// </summary>
[IgnoreAntiforgeryToken]
[EnableRateLimiting(Security.WebHardening.LinksPolicy)]
public sealed class OfferModel(IMediator mediator) : PageModel
{
    public string Title { get; private set; } = EmailLinks.GoneTitle;

    public string Text { get; private set; } = EmailLinks.GoneText;

    /// <summary>The offer, when its times are shown to choose from (with other times and "not now" below).</summary>
    public Offers.PersonView? Choosing { get; private set; }

    /// <summary>Whether the page offers to ask for other times: beside the times, or alone once they were released.</summary>
    public bool OffersOtherTimes { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken) =>
        await mediator.Send(new Offers.Look(token), cancellationToken) is { } view ? Show(view, null) : Gone();

    public async Task<IActionResult> OnPostAsync(
        string token, [FromForm] string? action, [FromForm] string? start, [FromForm] string[]? usually, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }

        Offers.PersonAnswer answer;
        try
        {
            answer = action switch
            {
                "pick" => await mediator.Send(new Offers.Pick(token, new Offers.AcceptForm(start)), cancellationToken),
                "none-work" or "not-now" => await mediator.Send(new Offers.Decline(token, new Offers.DeclineForm(action, [.. (usually ?? []).Where(UsualTimes.IsOne)])), cancellationToken),
                _ => new Offers.PersonAnswer(OfferOutcome.NotFound, await mediator.Send(new Offers.Look(token), cancellationToken)),
            };
        }
        catch (FluentValidation.ValidationException)
        {
            // A start that is no time at all was not one of the offered times: answered as a time no longer free.
            answer = new Offers.PersonAnswer(OfferOutcome.Taken, await mediator.Send(new Offers.Look(token), cancellationToken));
        }

        return answer switch
        {
            { Offer: null } => Gone(),
            { Outcome: OfferOutcome.Done, Offer: { } view } => Show(view, null),
            { Outcome: OfferOutcome.Taken, Offer: { } view } => Show(view, "That time was just taken. Another of the times may still suit you, or you can ask for other times below.", StatusCodes.Status409Conflict),
            { Offer: { } view } => Show(view, null, StatusCodes.Status409Conflict),
        };
    }

    private PageResult Show(Offers.PersonView view, string? note, int status = StatusCodes.Status200OK)
    {
        var first = view.TherapistFirstName;
        var format = view.Format == "video" ? "by video" : "in person";
        var released = ("Those times were released", "That's completely fine. If you'd like other times, you can ask for them here, whenever suits you.", OtherTimes: true);
        (Title, Text, OffersOtherTimes) = view.Status switch
        {
            "open" when view.Times.Length == 0 => released,
            "request-ended" => ("This request has ended", "Nothing has changed here. Whenever you'd like to talk, you're welcome to write to us.", false),
            "picked" when view.Booked is { Status: "cancelled" } => ("This session was cancelled",
                $"The session on {view.Booked.InWords} was cancelled since, so there is nothing to change here. If you'd like to find another time, whenever suits you, you're welcome to write to us.", false),
            "open" => (note is null ? "Some times that could work" : "That time was just taken",
                note ?? $"{first} has set aside these times for a first conversation, {format}. Choose one if it suits you; there's no need to decide quickly.", true),
            "picked" => ("Your session is confirmed",
                $"You chose {view.Booked?.InWords}, with {first}, {format}. A confirmation with a calendar invite is on its way by email.", false),
            "none-work" => ("Thank you for letting us know", $"{first} will look for other times and write when there are some. There's nothing else you need to do.", false),
            "not-now" => ("Thank you for letting us know",
                "We've closed your request. You'll get one short note confirming it, and then nothing more. The door stays open if you ever want to write again.", false),
            _ => released,
        };
        Choosing = view.Status == "open" && view.Times.Length > 0 ? view : null;
        Response.StatusCode = status;
        return Page();
    }

    private PageResult Gone()
    {
        (Title, Text, Choosing, OffersOtherTimes) = (EmailLinks.GoneTitle, EmailLinks.GoneText, null, false);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    /// <summary>"Monday morning": a usual time as its checkbox says it.</summary>
    public static string InWords(string day, string part) => $"{char.ToUpperInvariant(day[0])}{day[1..]} {part}";
}
