using System.Net;
using System.Text;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Preferences;

/// <summary>
/// The person's controls behind the links in every email — no login, ever. Opening a link (GET)
/// only shows a calm page with one clear button, because mail scanners follow links; the button
/// (POST) acts at once. The stop link also takes RFC 8058 one-click POSTs from mail providers.
/// </summary>
public static class EmailLinks
{
    /// <summary>Opening a link: which control it is, or null when the link is not active (nothing changes).</summary>
    public sealed record Look(string Token) : IRequest<string?>;

    /// <summary>Pressing the button (or a mail provider's RFC 8058 one-click POST).</summary>
    /// <param name="Resume">The pause page's "resume now" button.</param>
    public sealed record Act(string Token, string? Days, string? Pace, bool Resume = false) : IRequest<Answer>;

    /// <summary>
    /// What the page says afterwards; <see cref="AskAgainFor"/> when the choice was missing or not one
    /// offered; <see cref="OfferResume"/> when the way back (resuming a pause) belongs on the page.
    /// </summary>
    public sealed record Answer(string Title, string Text, string? AskAgainFor = null, bool Gone = false, bool OfferResume = false, string ResumeLabel = "Resume emails now");

    internal sealed class LookHandler(IDbContextFactory<PracticeDbContext> contexts) : IRequestHandler<Look, string?>
    {
        public async Task<string?> Handle(Look request, CancellationToken cancellationToken) =>
            (await FindAsync(contexts, request.Token))?.Purpose;
    }

    internal sealed class ActHandler(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, OutboxSignal outbox, BookingSteps bookings)
        : IRequestHandler<Act, Answer>
    {
        public async Task<Answer> Handle(Act request, CancellationToken cancellationToken)
        {
            var found = await FindAsync(contexts, request.Token);
            if (found is null)
            {
                return new Answer(GoneTitle, GoneText, Gone: true);
            }

            var client = grains.GetGrain<IClientGrain>(found.ClientId);
            switch (found.Purpose)
            {
                case TokenPurposes.Stop:
                    await client.ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails));
                    return new Answer("You won't get more emails from us", "That's done, and it took effect straight away. If you ever want to talk, you're welcome to write to us again.");
                case TokenPurposes.Pause when request.Resume:
                    var resumed = await client.ApplyPreference(new ApplyPreference(PreferenceKind.Resume));
                    outbox.Nudge();
                    return resumed.Change == ContactChange.StopStands
                        ? StopStands
                        : new Answer("Emails can come again", "We'll keep to the pace you chose. If you'd like a break again, the pause link is in every email.");
                case TokenPurposes.Pause when int.TryParse(request.Days, out var days) && days is 30 or 90:
                    var paused = await client.ApplyPreference(new ApplyPreference(PreferenceKind.Pause, days));
                    return paused.PausedUntil is { } until
                        ? new Answer("Paused", $"We won't write before {until:d MMMM yyyy}. Nothing else changes, and there's nothing you need to do.", OfferResume: true)
                        : StopStands;
                case TokenPurposes.ChangePace when WireNames.TryParsePace(request.Pace, out var pace):
                    var changed = await client.ApplyPreference(new ApplyPreference(PreferenceKind.ChangePace, Pace: pace));
                    outbox.Nudge();
                    return changed.Change == ContactChange.StopStands
                        ? new Answer("We've noted that", "You asked us to stop emails earlier, and that still stands: we won't write. If you write to us again, we'll keep to the pace you chose.")
                        : new Answer("Thanks — we've noted that", "We'll keep to the pace you chose, counting from today.");
                case TokenPurposes.Pause or TokenPurposes.ChangePace:
                    return new Answer("", "", AskAgainFor: found.Purpose);
                case TokenPurposes.NotNow:
                    var closed = await client.ApplyPreference(new ApplyPreference(PreferenceKind.NotNow));
                    outbox.Nudge();
                    return closed.Change == ContactChange.Applied
                        ? new Answer("Thank you for letting us know", "We've closed your request. You'll get one short note confirming it, and then nothing more. The door stays open if you ever want to write again.")
                        : new Answer("Your request is already closed", "We won't write about it again. The door stays open if you ever want to write to us.");
                case TokenPurposes.ConfirmAddress:
                    var confirmed = await client.ApplyPreference(new ApplyPreference(PreferenceKind.ConfirmAddress, IntakeId: await RequestOfAsync(contexts, found)));
                    outbox.Nudge();
                    return confirmed.Change == ContactChange.Applied
                        ? new Answer("Thank you, we'll reply", "A person from our practice will read your message and reply, at the pace you chose. There's nothing else you need to do.")
                        : new Answer("Nothing to confirm", "This request was confirmed already, or is no longer open. Nothing has changed.");
                case TokenPurposes.Reminders:
                    var reminders = await client.ApplyPreference(new ApplyPreference(request.Resume ? PreferenceKind.RemindersOn : PreferenceKind.RemindersOff));
                    outbox.Nudge();
                    return request.Resume
                        ? new Answer("Reminders are on again", "We'll send one short reminder before each session. Nothing else changes.")
                        : new Answer("Reminders are off", $"We won't send reminders before your sessions. Your sessions stay as they are.{(reminders.Change == ContactChange.Unchanged ? " (They were off already.)" : "")}", OfferResume: true, ResumeLabel: "Turn reminders back on");
                case TokenPurposes.Erase:
                    await client.EraseDetails(new EraseClient(StaffActor.System("self-service"), AuditActions.ClientErase));
                    await bookings.CancelSessionsOfErasedOrLeaveToSweepAsync(found.ClientId);
                    outbox.Nudge();
                    return new Answer("Your details have been erased", "We've removed your name, contact details and what you wrote to us. We won't contact you again.");
                default:
                    return new Answer(GoneTitle, GoneText, Gone: true);
            }
        }
    }

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var links = endpoints.MapGroup(ContactLinks.RoutePrefix).ExcludeFromDescription();
        links.MapGet("/{token}", async (string token, IMediator mediator, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
            await mediator.Send(new Look(token), cancellationToken) is { } purpose
                ? Ask(practice.Value, purpose)
                : Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound));
        links.MapPost("/{token}", async (string token, HttpRequest request, IMediator mediator, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
            var answer = await mediator.Send(new Act(token, form?["days"], form?["pace"], Resume: form?.ContainsKey("resume") == true), cancellationToken);
            return answer switch
            {
                { Gone: true } => Page(practice.Value, answer.Title, answer.Text, null, HttpStatusCode.NotFound),
                { AskAgainFor: { } purpose } => Ask(practice.Value, purpose, HttpStatusCode.BadRequest),
                { OfferResume: true } => Page(practice.Value, answer.Title, answer.Text, "<p>Changed your mind?</p>" + Button(answer.ResumeLabel, "resume", "1")),
                _ => Page(practice.Value, answer.Title, answer.Text, null),
            };
        }).DisableAntiforgery();
    }

    private static readonly Answer StopStands = new("Nothing more will be sent", "You asked us to stop emails earlier, and that still stands.");

    internal const string GoneTitle = "This link isn't active any more";
    internal const string GoneText = "Nothing has changed. If you'd like to reach the practice, you're welcome to write to us directly.";

    /// <summary>The request an address confirmation was about: its token came with that message.</summary>
    private static async Task<Guid?> RequestOfAsync(IDbContextFactory<PracticeDbContext> contexts, ContactToken token)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Id == token.OutboxMessageId)
            .Select(m => m.IntakeRequestId)
            .SingleOrDefaultAsync();
    }

    private static async Task<ContactToken?> FindAsync(IDbContextFactory<PracticeDbContext> contexts, string token)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await LinkTokens.Active(db, token).SingleOrDefaultAsync();
    }

    private static IResult Ask(PracticeOptions practice, string purpose, HttpStatusCode status = HttpStatusCode.OK) => purpose switch
    {
        TokenPurposes.Stop => Page(practice, "Stop emails from us?", "One click and we won't write again. Nothing else is needed.",
            Button("Stop these emails"), status),
        TokenPurposes.Pause => Page(practice, "Pause emails for a while?", "We won't write during the pause. Choose how long:",
            Button("Pause for 30 days", "days", "30") + Button("Pause for 90 days", "days", "90"), status),
        TokenPurposes.ChangePace => Page(practice, "How often may we check in?", "Choose what suits you; you can change it again any time.",
            PaceChoices(), status),
        TokenPurposes.NotNow => Page(practice, "Not now, or no thanks?", "That's completely fine. We'll close your request and send one short note to confirm, then nothing more.",
            Button("Close my request"), status),
        TokenPurposes.ConfirmAddress => Page(practice, "Was it you who wrote to us?", "If you sent us a message with this email address and would like a reply, confirm here. If not, you can close this page: nothing will change.",
            Button("Yes, it was me, please reply"), status),
        TokenPurposes.Reminders => Page(practice, "Turn off session reminders?", "We'll stop sending the short note before each session. Your sessions stay as they are.",
            Button("Turn off reminders"), status),
        TokenPurposes.Erase => Page(practice, "Erase your details?", "We'll remove your name, contact details and what you wrote to us, and we won't contact you again. This can't be undone.",
            Button("Erase my details"), status),
        _ => Page(practice, GoneTitle, GoneText, null, HttpStatusCode.NotFound),
    };

    internal static string Button(string label, string? name = null, string? value = null) =>
        $"""<form method="post"><button type="submit"{(name is null ? "" : $" name=\"{name}\" value=\"{value}\"")} style="font:inherit;padding:.6em 1.2em;margin:.3em 0;border:1px solid #555;border-radius:6px;background:#f4f1ec;color:#222;cursor:pointer">{WebUtility.HtmlEncode(label)}</button></form>""";

    private static string PaceChoices()
    {
        var labels = new (string Wire, string Label)[]
        {
            ("when-ready", "I'll reach out when I'm ready (no check-ins)"),
            ("gentle", "A gentle check-in is fine"),
            ("check-in-2-weeks", "Check in with me in 2 weeks"),
            ("check-in-1-month", "Check in with me in 1 month"),
            ("check-in-3-months", "Check in with me in 3 months"),
        };
        var html = new StringBuilder("""<form method="post"><fieldset style="border:none;padding:0"><legend style="margin-bottom:.5em">Your pace</legend>""");
        foreach (var (wire, label) in labels)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"""<p><label><input type="radio" name="pace" value="{wire}"> {WebUtility.HtmlEncode(label)}</label></p>""");
        }

        html.Append("""</fieldset><button type="submit" style="font:inherit;padding:.6em 1.2em;border:1px solid #555;border-radius:6px;background:#f4f1ec;color:#222">Save</button></form>""");
        return html.ToString();
    }

    internal static IResult Page(PracticeOptions practice, string title, string text, string? actions, HttpStatusCode status = HttpStatusCode.OK)
    {
        var name = WebUtility.HtmlEncode(practice.Name);
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>{WebUtility.HtmlEncode(title)} – {name}</title></head>
            <body style="font-family:system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;line-height:1.5;color:#222;background:#fff">
            <main>
            <h1 style="font-size:1.4em;font-weight:600">{WebUtility.HtmlEncode(title)}</h1>
            <p>{WebUtility.HtmlEncode(text)}</p>
            {actions ?? ""}
            <p style="margin-top:2em;color:#555;font-size:.9em">{name}</p>
            </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
    }
}
