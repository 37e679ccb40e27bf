using MediatR;
using Microsoft.EntityFrameworkCore;
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
/// The page is <c>Pages/Links/EmailLink.cshtml</c>.
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
    /// offered; <see cref="OfferResume"/> when the way back (resuming a pause) belongs on the page;
    /// <see cref="OfferNewForm"/> when emails have just stopped, so the way to write again is the form.
    /// </summary>
    public sealed record Answer(string Title, string Text, string? AskAgainFor = null, bool Gone = false, bool OfferResume = false, string ResumeLabel = "Resume emails now", bool OfferNewForm = false);

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
                    return new Answer("You won't get more emails from us", "That's done, and it took effect straight away. If you ever want to talk, you're welcome to write to us again.", OfferNewForm: true);
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
}
