using System.Globalization;
using System.Net;
using System.Text;
using MediatR;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Offers;

/// <summary>
/// The page an offer's link opens, served by the app like the other email links: opening it (GET) only
/// shows the offer, since mail scanners follow links; each button (POST) answers it. Every answer ends on
/// a calm page that says what happened and, where it helps, the one way on.
/// </summary>
public static class OfferPage
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var page = app.MapGroup(ContactLinks.OfferRoutePrefix).ExcludeFromDescription().RequireRateLimiting(Security.WebHardening.LinksPolicy);
        page.MapGet("/{token}", async (string token, IMediator mediator, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
            await mediator.Send(new Offers.Look(token), cancellationToken) is { } view
                ? Show(practice.Value, view, null)
                : EmailLinks.Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound));
        page.MapPost("/{token}", async (string token, HttpRequest request, IMediator mediator, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
            var action = form?["action"].ToString();
            Offers.PersonAnswer answer;
            try
            {
                answer = action switch
                {
                    "pick" => await mediator.Send(new Offers.Pick(token, new Offers.AcceptForm(form?["start"])), cancellationToken),
                    "none-work" or "not-now" => await mediator.Send(new Offers.Decline(token, new Offers.DeclineForm(action, [.. form?["usually"].Where(u => UsualTimes.IsOne(u)).Select(u => u!) ?? []])), cancellationToken),
                    _ => new Offers.PersonAnswer(OfferOutcome.NotFound, await mediator.Send(new Offers.Look(token), cancellationToken)),
                };
            }
            catch (FluentValidation.ValidationException)
            {
                answer = new Offers.PersonAnswer(OfferOutcome.Taken, await mediator.Send(new Offers.Look(token), cancellationToken));
            }

            return answer switch
            {
                { Offer: null } => EmailLinks.Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound),
                { Outcome: OfferOutcome.Done, Offer: { } view } => Show(practice.Value, view, null),
                { Outcome: OfferOutcome.Taken, Offer: { } view } => Show(practice.Value, view, "That time was just taken. Another of the times may still suit you, or you can ask for other times below.", HttpStatusCode.Conflict),
                { Offer: { } view } => Show(practice.Value, view, null, HttpStatusCode.Conflict),
            };
        }).DisableAntiforgery();
    }

    private const string GoneTitle = EmailLinks.GoneTitle;
    private const string GoneText = EmailLinks.GoneText;

    private static IResult Show(PracticeOptions practice, Offers.PersonView view, string? note, HttpStatusCode status = HttpStatusCode.OK)
    {
        var first = view.TherapistFirstName;
        var format = view.Format == "video" ? "by video" : "in person";
        return view.Status switch
        {
            "open" when view.Times.Length == 0 => Released(practice, status),
            "request-ended" => EmailLinks.Page(practice, "This request has ended",
                "Nothing has changed here. Whenever you'd like to talk, you're welcome to write to us.", null, status),
            "picked" when view.Booked is { Status: "cancelled" } => EmailLinks.Page(practice, "This session was cancelled",
                $"The session on {view.Booked.InWords} was cancelled since, so there is nothing to change here. If you'd like to find another time, whenever suits you, you're welcome to write to us.", null, status),
            "open" => EmailLinks.Page(practice, note is null ? "Some times that could work" : "That time was just taken",
                note ?? $"{first} has set aside these times for a first conversation, {format}. Choose one if it suits you; there's no need to decide quickly.",
                Times(view) + OtherTimes("None of these work?") + "<p>Or, if now isn't the right time:</p>" + EmailLinks.Button("Not now, thanks", "action", "not-now"),
                status),
            "picked" => EmailLinks.Page(practice, "Your session is confirmed",
                $"You chose {view.Booked?.InWords}, with {first}, {format}. A confirmation with a calendar invite is on its way by email.", null, status),
            "none-work" => EmailLinks.Page(practice, "Thank you for letting us know",
                $"{first} will look for other times and write when there are some. There's nothing else you need to do.", null, status),
            "not-now" => EmailLinks.Page(practice, "Thank you for letting us know",
                "We've closed your request. You'll get one short note confirming it, and then nothing more. The door stays open if you ever want to write again.", null, status),
            _ => Released(practice, status),
        };
    }

    private static IResult Released(PracticeOptions practice, HttpStatusCode status) => EmailLinks.Page(practice, "Those times were released",
        "That's completely fine. If you'd like other times, you can ask for them here, whenever suits you.", OtherTimes(null), status);

    private static string Times(Offers.PersonView view)
    {
        var html = new StringBuilder("<p>Choose a time:</p>");
        foreach (var time in view.Times)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<form method="post"><input type="hidden" name="action" value="pick"><input type="hidden" name="start" value="{WebUtility.HtmlEncode(time.Local)}">""")
                .Append(CultureInfo.InvariantCulture, $"""<button type="submit" style="font:inherit;padding:.6em 1.2em;margin:.3em 0;border:1px solid #555;border-radius:6px;background:#f4f1ec;color:#222;cursor:pointer">{WebUtility.HtmlEncode(time.InWords)}</button></form>""");
        }

        return html.ToString();
    }

    /// <summary>The one button to ask for other times, with the times they usually have as optional ticks (never a text box).</summary>
    private static string OtherTimes(string? heading)
    {
        var html = new StringBuilder();
        if (heading is not null)
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(heading)).Append("</p>");
        }

        html.Append("""<form method="post"><input type="hidden" name="action" value="none-work"><fieldset style="border:none;padding:0"><legend style="margin-bottom:.5em">When do you usually have time? (optional)</legend>""");
        foreach (var day in UsualTimes.Days)
        {
            html.Append("<p>");
            foreach (var part in UsualTimes.Parts)
            {
                var value = $"{day}-{part}";
                html.Append(CultureInfo.InvariantCulture, $"""<label style="margin-right:1em"><input type="checkbox" name="usually" value="{value}"> {char.ToUpperInvariant(day[0])}{day[1..]} {part}</label>""");
            }

            html.Append("</p>");
        }

        html.Append("""</fieldset><button type="submit" style="font:inherit;padding:.6em 1.2em;border:1px solid #555;border-radius:6px;background:#f4f1ec;color:#222">Ask for other times</button></form>""");
        return html.ToString();
    }
}
