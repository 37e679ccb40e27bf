using MediatR;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Offers;

/// <summary>
/// A booked session's manage link, from its confirmation, booking note or reminder. It always shows the
/// session as it stands now (so it keeps working after a move); a cancelled session's page says so and
/// offers nothing to change. Opening it (GET) only shows; a button (POST) cancels, or asks for another
/// time, which keeps the session until staff move it. The page is <c>Pages/Links/Session.cshtml</c>.
/// </summary>
public static class ManageSession
{
    /// <summary>Opening the link: the session as it stands now, or null when the link is not active.</summary>
    public sealed record Look(string Token) : IRequest<SessionView?>;

    /// <summary>A button: <c>cancel</c> or <c>another-time</c>.</summary>
    public sealed record Act(string Token, string? Action) : IRequest<Answer>;

    /// <summary>The session in the person's own zone, in words, with the therapist's first name.</summary>
    public sealed record SessionView(SessionState State, string InWords, string TherapistFirstName, SessionFormat Format);

    public enum SessionState
    {
        /// <summary>Confirmed and still ahead: it can be cancelled, or another time asked for.</summary>
        Ahead,
        Cancelled,
        Passed,
    }

    /// <summary>What a button did; <see cref="Session"/> is the session before it (or now, when nothing changed), null when the link is not active.</summary>
    public sealed record Answer(ActOutcome Outcome, SessionView? Session);

    public enum ActOutcome
    {
        Gone,
        Cancelled,
        AnotherTimeAsked,

        /// <summary>Not a button this session has now (cancelled or passed meanwhile, or no such action).</summary>
        NothingChanged,
    }

    /// <summary>Who the audit trail and the calendar name when the person acts by their link.</summary>
    private static readonly StaffActor PersonByLink = StaffActor.System("person-by-link");

    internal sealed class LookHandler(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, PracticeClock clock) : IRequestHandler<Look, SessionView?>
    {
        public async Task<SessionView?> Handle(Look request, CancellationToken cancellationToken) =>
            await FindAsync(contexts, grains, request.Token, cancellationToken) is { } found ? ViewOf(found, clock.GetUtcNow()) : null;
    }

    internal sealed class ActHandler(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, BookingSteps steps, PracticeClock clock) : IRequestHandler<Act, Answer>
    {
        public async Task<Answer> Handle(Act request, CancellationToken cancellationToken)
        {
            if (await FindAsync(contexts, grains, request.Token, cancellationToken) is not { } found)
            {
                return new Answer(ActOutcome.Gone, null);
            }

            var therapist = grains.GetGrain<ITherapistGrain>(found.Appointment.TherapistId);
            var ahead = found.Appointment.Status == AppointmentStatus.Confirmed && found.Appointment.Start > clock.GetUtcNow();
            switch (request.Action)
            {
                case "cancel" when ahead:
                    var cancelled = await therapist.ChangeAppointment(new ChangeAppointment(PersonByLink, found.Appointment.AppointmentId, AppointmentChangeKind.Cancel, Reason: "client-asked", ByPerson: true));
                    if (cancelled is { Outcome: AppointmentOutcome.Done, Appointment: { } view })
                    {
                        await steps.TellPersonOrLeaveToSweepAsync(view);
                        return new Answer(ActOutcome.Cancelled, ViewOf(found, clock.GetUtcNow()));
                    }

                    break;
                case "another-time" when ahead:
                    await steps.AskForAnotherTimeAsync(found.Appointment);
                    return new Answer(ActOutcome.AnotherTimeAsked, ViewOf(found, clock.GetUtcNow()));
            }

            var now = await FindAsync(contexts, grains, request.Token, cancellationToken) ?? found;
            return new Answer(ActOutcome.NothingChanged, ViewOf(now, clock.GetUtcNow()));
        }
    }

    private sealed record Found(AppointmentView Appointment, string FirstName, string TimeZone);

    /// <summary>The token's hash finds the session (its offer, or the appointment itself), never for an erased person; then the session as the calendar holds it now.</summary>
    private static async Task<Found?> FindAsync(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, string token, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await LinkTokens.Active(db, token, TokenPurposes.Manage)
            .Where(t => t.SubjectId != null)
            .Join(db.Clients, t => t.ClientId, c => c.Id, (t, c) => new { SubjectId = t.SubjectId!.Value, t.ClientId, c.TimeZone })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var appointmentId = await db.Offers.AsNoTracking().Where(o => o.Id == link.SubjectId).Select(o => o.AppointmentId).SingleOrDefaultAsync(cancellationToken) ?? link.SubjectId;
        var session = await db.Appointments.AsNoTracking().Where(a => a.Id == appointmentId && a.ClientId == link.ClientId)
            .Join(db.Therapists, a => a.TherapistId, t => t.Id, (a, t) => new { a.TherapistId, t.DisplayName })
            .SingleOrDefaultAsync(cancellationToken);
        return session is not null && await grains.GetGrain<ITherapistGrain>(session.TherapistId).GetAppointment(appointmentId) is { } view
            ? new Found(view, OutboxSender.FirstName(session.DisplayName), link.TimeZone)
            : null;
    }

    private static SessionView ViewOf(Found found, DateTimeOffset now)
    {
        var session = found.Appointment;
        var state = session.Status switch
        {
            AppointmentStatus.Cancelled => SessionState.Cancelled,
            AppointmentStatus.Confirmed when session.Start > now => SessionState.Ahead,
            _ => SessionState.Passed,
        };
        return new SessionView(state, CalendarInvite.InWords(session.Start, IanaTimeZone.Find(found.TimeZone).Id), found.FirstName, session.Format);
    }
}
