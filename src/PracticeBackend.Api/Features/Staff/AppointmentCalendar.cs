using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// A therapist's sessions as the dashboard's week shows them: when, the format, where each stands, and the
/// person's initials (as in the calendar feed), never more. A therapist sees their own calendar, an admin any;
/// each look is in the audit trail, since initials are about a person.
/// </summary>
public static class AppointmentCalendar
{
    public sealed record Session(Guid AppointmentId, Guid TherapistId, Guid ClientId, Guid? IntakeId, DateTimeOffset Start, DateTimeOffset End, string Format, string Status, string? Initials, string? CancelReason);

    /// <summary>Sessions starting in [From, To).</summary>
    public sealed record Week(Guid TherapistId, DateTimeOffset From, DateTimeOffset To) : IRequest<Session[]?>;

    public sealed record One(Guid AppointmentId) : IRequest<Session?>;

    internal sealed class WeekHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, PhiProtector phi, AuditTrail audit, IOptions<PracticeOptions> practice)
        : IRequestHandler<Week, Session[]?>
    {
        public async Task<Session[]?> Handle(Week query, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            if (!actor.IsAdmin && actor.TherapistId != query.TherapistId)
            {
                return null;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var from = query.From.UtcDateTime;
            var to = query.To.UtcDateTime;
            var sessions = await WithNames(db, db.Appointments.Where(a => a.TherapistId == query.TherapistId && a.StartsAt >= from && a.StartsAt < to))
                .ToListAsync(cancellationToken);
            await audit.RecordAsync(actor, AuditActions.CalendarRead, AuditSubjects.Therapist, query.TherapistId, AuditOutcomes.Success, cancellationToken);
            return [.. sessions.OrderBy(s => s.Row.StartsAt).Select(s => ToSession(s.Row, s.NameSealed, s.ErasedAt, phi, practice.Value))];
        }
    }

    internal sealed class OneHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, PhiProtector phi, AuditTrail audit, IOptions<PracticeOptions> practice)
        : IRequestHandler<One, Session?>
    {
        public async Task<Session?> Handle(One query, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var found = await WithNames(db, db.Appointments.Where(a => a.Id == query.AppointmentId)).SingleOrDefaultAsync(cancellationToken);
            var visible = found is not null && (actor.IsAdmin || actor.TherapistId == found.Row.TherapistId);
            await audit.RecordAsync(actor, AuditActions.CalendarRead, AuditSubjects.Appointment, query.AppointmentId,
                visible ? AuditOutcomes.Success : AuditOutcomes.NotFound, cancellationToken);
            return visible ? ToSession(found!.Row, found.NameSealed, found.ErasedAt, phi, practice.Value) : null;
        }
    }

    private sealed record Joined(AppointmentRow Row, byte[]? NameSealed, DateTime? ErasedAt);

    private static IQueryable<Joined> WithNames(PracticeDbContext db, IQueryable<AppointmentRow> appointments) =>
        appointments.AsNoTracking().Join(db.Clients, a => a.ClientId, c => c.Id, (a, c) => new Joined(a, c.NameSealed, c.ErasedAt));

    private static Session ToSession(AppointmentRow a, byte[]? nameSealed, DateTime? erasedAt, PhiProtector phi, PracticeOptions practice) => new(
        a.Id, a.TherapistId, a.ClientId, a.IntakeRequestId,
        new DateTimeOffset(a.StartsAt, TimeSpan.Zero), new DateTimeOffset(a.EndsAt, TimeSpan.Zero),
        Appointments.Wire(a.Format), Appointments.Wire(a.Status),
        erasedAt is null ? CalendarFeed.ReadHandler.Initials(phi.Unseal(nameSealed), practice.Scheduling.FeedShowsFirstNames) : null,
        a.CancelReason);
}
