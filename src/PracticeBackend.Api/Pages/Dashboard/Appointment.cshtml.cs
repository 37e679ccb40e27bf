using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>One session: move it to an open time, cancel it with a category, or after it mark it held or missed (<see cref="Appointments.Change"/>).</summary>
public sealed class AppointmentModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice, PracticeClock clock)
    : DashboardPage(mediator, staff, practice)
{
    public AppointmentCalendar.Session? Session { get; private set; }

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public Availability.Slot[] Open { get; private set; } = [];

    public bool HasStarted => Session is { } s && s.Start <= clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(Guid id, string? tz, CancellationToken cancellationToken) =>
        await LoadAsync(id, tz, cancellationToken) ? Page() : NotFound();

    public Task<IActionResult> OnPostRescheduleAsync(Guid id, string? start, CancellationToken cancellationToken) =>
        ChangeAsync(new Appointments.Change(id, AppointmentChangeKind.Reschedule, Start: start), "Moved to {0}. The person gets a note with the updated invite.", cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(Guid id, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(new Appointments.Change(id, AppointmentChangeKind.Cancel, Reason: reason), "Cancelled; the time is free again.", cancellationToken);

    public Task<IActionResult> OnPostCompleteAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(new Appointments.Change(id, AppointmentChangeKind.Complete), "Marked as held.", cancellationToken);

    public Task<IActionResult> OnPostNoShowAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(new Appointments.Change(id, AppointmentChangeKind.NoShow), "Marked as missed.", cancellationToken);

    private async Task<IActionResult> ChangeAsync(Appointments.Change change, string notice, CancellationToken cancellationToken)
    {
        var result = await TrySendAsync(change, cancellationToken);
        switch (result?.Outcome)
        {
            case AppointmentOutcome.Done when result.Appointment is { } changed:
                var zone = await ZoneOfAsync(changed.TherapistId, null, cancellationToken);
                return Done(string.Format(System.Globalization.CultureInfo.InvariantCulture, notice, DashboardWords.When(changed.Start, zone)), $"/dashboard/appointments/{change.AppointmentId}");
            case AppointmentOutcome.Taken:
                Refuse("That time was just taken, or is inside another session's buffer. Choose another.");
                break;
            case AppointmentOutcome.NotInThisState:
                Refuse("Not possible now: a cancelled session isn't moved, and a held or missed one isn't cancelled.");
                break;
            case null:
                break;
            default:
                return NotFound();
        }

        return await LoadAsync(change.AppointmentId, null, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, string? tz, CancellationToken cancellationToken)
    {
        Session = await Mediator.Send(new AppointmentCalendar.One(id), cancellationToken);
        if (Session is null)
        {
            return false;
        }

        Zone = await ZoneOfAsync(Session.TherapistId, tz, cancellationToken);
        var now = clock.GetUtcNow();
        Open = (await Mediator.Send(new Availability.FindSlots(Session.TherapistId, now, now.AddDays(14), Zone.Id), cancellationToken))?.Slots ?? [];
        return true;
    }

    private async Task<DateTimeZone> ZoneOfAsync(Guid therapistId, string? tz, CancellationToken cancellationToken) =>
        ViewerZone(tz, (await Mediator.Send(new Therapists.List(), cancellationToken)).FirstOrDefault(t => t.Id == therapistId)?.TimeZone);
}
