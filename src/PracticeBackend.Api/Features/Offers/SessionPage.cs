using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Api.Hosting;
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
/// time, which keeps the session until staff move it.
/// </summary>
public static class SessionPage
{
    /// <summary>Who the audit trail and the calendar name when the person acts by their link.</summary>
    private static readonly StaffActor PersonByLink = StaffActor.System("person-by-link");

    public static void Map(IEndpointRouteBuilder app)
    {
        var page = app.MapGroup(ContactLinks.ManageRoutePrefix).ExcludeFromDescription().RequireRateLimiting(Security.WebHardening.LinksPolicy);
        page.MapGet("/{token}", async (string token, IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, PracticeClock clock, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
            await FindAsync(contexts, grains, token, cancellationToken) is { } found
                ? Show(practice.Value, found, clock.GetUtcNow())
                : EmailLinks.Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound));
        page.MapPost("/{token}", async (string token, HttpRequest request, IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, BookingSteps steps, PracticeClock clock, IOptions<PracticeOptions> practice, CancellationToken cancellationToken) =>
        {
            if (await FindAsync(contexts, grains, token, cancellationToken) is not { } found)
            {
                return EmailLinks.Page(practice.Value, GoneTitle, GoneText, null, HttpStatusCode.NotFound);
            }

            var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
            var therapist = grains.GetGrain<ITherapistGrain>(found.Appointment.TherapistId);
            var ahead = found.Appointment.Status == AppointmentStatus.Confirmed && found.Appointment.Start > clock.GetUtcNow();
            switch (form?["action"].ToString())
            {
                case "cancel" when ahead:
                    var cancelled = await therapist.ChangeAppointment(new ChangeAppointment(PersonByLink, found.Appointment.AppointmentId, AppointmentChangeKind.Cancel, Reason: "client-asked", ByPerson: true));
                    if (cancelled is { Outcome: AppointmentOutcome.Done, Appointment: { } view })
                    {
                        await steps.TellPersonOrLeaveToSweepAsync(view);
                        return EmailLinks.Page(practice.Value, "Your session is cancelled",
                            "That's done. You'll get a short confirmation with a calendar update, and the time is free again. If you'd like to find another time, whenever suits you, you're welcome to write.", null);
                    }

                    break;
                case "another-time" when ahead:
                    await steps.AskForAnotherTimeAsync(found.Appointment);
                    return EmailLinks.Page(practice.Value, "Thank you for letting us know",
                        $"{found.FirstName} will look for another time and write to you. Until then your session stays booked, so nothing is lost.", null);
            }

            return Show(practice.Value, await FindAsync(contexts, grains, token, cancellationToken) ?? found, clock.GetUtcNow(), HttpStatusCode.Conflict);
        }).DisableAntiforgery();
    }

    private const string GoneTitle = EmailLinks.GoneTitle;
    private const string GoneText = EmailLinks.GoneText;

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

    private static IResult Show(PracticeOptions practice, Found found, DateTimeOffset now, HttpStatusCode status = HttpStatusCode.OK)
    {
        var session = found.Appointment;
        var when = CalendarInvite.InWords(session.Start, IanaTimeZone.Find(found.TimeZone).Id);
        var format = session.Format == SessionFormat.Video ? "by video" : "in person";
        return session.Status switch
        {
            AppointmentStatus.Cancelled => EmailLinks.Page(practice, "This session was cancelled",
                $"The session on {when} was cancelled, so there is nothing to change here. If you'd like to find another time, whenever suits you, you're welcome to write to us.", null, status),
            AppointmentStatus.Confirmed when session.Start > now => EmailLinks.Page(practice, "Your session",
                $"{when}, with {found.FirstName}, {format}. If it no longer suits you, you can cancel it, or ask for another time and keep this one until then.",
                EmailLinks.Button("Ask for another time", "action", "another-time") + EmailLinks.Button("Cancel this session", "action", "cancel"), status),
            _ => EmailLinks.Page(practice, "This session has passed", $"The session on {when} is in the past. If you'd like to talk again, you're welcome to write to us.", null, status),
        };
    }
}
