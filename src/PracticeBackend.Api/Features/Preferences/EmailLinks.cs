using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Jobs;
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
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var links = endpoints.MapGroup(ContactLinks.RoutePrefix).ExcludeFromDescription();
        links.MapGet("/{token}", async (string token, IDbContextFactory<PracticeDbContext> contexts, IOptions<PracticeOptions> practice) =>
        {
            var found = await FindAsync(contexts, token);
            return found is null ? Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound) : Ask(practice.Value, found.Purpose);
        });
        links.MapPost("/{token}", async (string token, HttpRequest request, IDbContextFactory<PracticeDbContext> contexts,
            IGrainFactory grains, OutboxSignal outbox, IOptions<PracticeOptions> practice) =>
        {
            var options = practice.Value;
            var found = await FindAsync(contexts, token);
            if (found is null)
            {
                return Page(options, GoneTitle, GoneText, null, HttpStatusCode.NotFound);
            }

            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            var client = grains.GetGrain<IClientGrain>(found.ClientId);
            switch (found.Purpose)
            {
                case TokenPurposes.Stop:
                    await client.ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails, null, null));
                    return Page(options, "You won't get more emails from us", "That's done, and it took effect straight away. If you ever want to talk, you're welcome to write to us again.", null);
                case TokenPurposes.Pause:
                    if (!int.TryParse(form?["days"], out var days) || days is not (30 or 90))
                    {
                        return Ask(options, found.Purpose, HttpStatusCode.BadRequest);
                    }

                    var paused = await client.ApplyPreference(new ApplyPreference(PreferenceKind.Pause, days, null));
                    return Page(options, "Paused", $"We won't write before {paused.PausedUntil:d MMMM yyyy}. Nothing else changes, and there's nothing you need to do.", null);
                case TokenPurposes.ChangePace:
                    if (!WireNames.TryParsePace(form?["pace"], out var pace))
                    {
                        return Ask(options, found.Purpose, HttpStatusCode.BadRequest);
                    }

                    await client.ApplyPreference(new ApplyPreference(PreferenceKind.ChangePace, null, pace));
                    outbox.Nudge();
                    return Page(options, "Thanks — we've noted that", "We'll keep to the pace you chose.", null);
                case TokenPurposes.NotNow:
                    await client.ApplyPreference(new ApplyPreference(PreferenceKind.NotNow, null, null));
                    outbox.Nudge();
                    return Page(options, "Thank you for letting us know", "We've closed your request. You'll get one short note confirming it, and then nothing more. The door stays open if you ever want to write again.", null);
                case TokenPurposes.Erase:
                    await client.EraseDetails(new EraseClient(StaffActor.System("self-service"), AuditActions.ClientErase));
                    return Page(options, "Your details have been erased", "We've removed your name, contact details and what you wrote to us. We won't contact you again.", null);
                default:
                    return Page(options, GoneTitle, GoneText, null, HttpStatusCode.NotFound);
            }
        }).DisableAntiforgery();
    }

    private const string GoneTitle = "This link isn't active any more";
    private const string GoneText = "Nothing has changed. If you'd like to reach the practice, you're welcome to write to us directly.";

    private static async Task<ContactToken?> FindAsync(IDbContextFactory<PracticeDbContext> contexts, string token)
    {
        if (token.Length is < 20 or > 100)
        {
            return null;
        }

        var hash = ContactLinks.Hash(token);
        await using var db = await contexts.CreateDbContextAsync();
        return await db.ContactTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Where(t => db.Clients.Any(c => c.Id == t.ClientId && c.ErasedAt == null))
            .SingleOrDefaultAsync();
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
        TokenPurposes.Erase => Page(practice, "Erase your details?", "We'll remove your name, contact details and what you wrote to us, and we won't contact you again. This can't be undone.",
            Button("Erase my details"), status),
        _ => Page(practice, GoneTitle, GoneText, null, HttpStatusCode.NotFound),
    };

    private static string Button(string label, string? name = null, string? value = null) =>
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

    private static IResult Page(PracticeOptions practice, string title, string text, string? actions, HttpStatusCode status = HttpStatusCode.OK)
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
