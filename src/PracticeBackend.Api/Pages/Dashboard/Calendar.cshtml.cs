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

/// <summary>
/// A therapist's week: their sessions (<see cref="AppointmentCalendar.Week"/>) and open times, in their zone or
/// one chosen; booking for a request (<see cref="Appointments.Book"/>, the API's use case) from an open time.
/// </summary>
public sealed class CalendarModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice, PracticeClock clock)
    : DashboardPage(mediator, staff, practice)
{
    public sealed record Day(LocalDate Date, List<AppointmentCalendar.Session> Sessions, List<Availability.Slot> Open);

    public Therapists.View[] Visible { get; private set; } = [];

    public Guid TherapistId { get; private set; }

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public string[] Zones { get; private set; } = [];

    public LocalDate Monday { get; private set; }

    public List<Day> Days { get; } = [];

    public IntakeWorklist.Summary? Booking { get; private set; }

    public string Format { get; private set; } = "in-person";

    public async Task<IActionResult> OnGetAsync(Guid? therapist, DateOnly? week, string? tz, Guid? request, string? format, CancellationToken cancellationToken) =>
        await LoadAsync(therapist, week, tz, request, format, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostBookAsync(Guid therapist, Guid request, string? format, string? start, string? tz, CancellationToken cancellationToken)
    {
        var found = await Mediator.Send(new IntakeWorklist.Find(request), cancellationToken);
        var result = found is null ? null : await TrySendAsync(new Appointments.Book(new Appointments.BookForm(therapist, found.ClientId, request, start, format)), cancellationToken);
        switch (result?.Outcome)
        {
            case AppointmentOutcome.Done when result.Appointment is { } booked:
                var zone = ViewerZone(tz);
                return Done($"Booked for {DashboardWords.When(booked.Start, zone)}. The person gets a note with a calendar invite.",
                    $"/dashboard/calendar?therapist={therapist}&week={Instant.FromDateTimeOffset(booked.Start).InZone(zone).Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}&tz={Uri.EscapeDataString(zone.Id)}");
            case AppointmentOutcome.Taken:
                Refuse("That time was just taken, or is inside another session's buffer. The week below is fresh: choose another.");
                break;
            case null when Errors.Count > 0:
                break;
            default:
                Refuse("This session can't be booked here: the request must be assigned to you (or you an admin), and the person's details not erased.", StatusCodes.Status404NotFound);
                break;
        }

        var day = start is not null && DateTimeOffset.TryParse(start, System.Globalization.CultureInfo.InvariantCulture, out var at) ? DateOnly.FromDateTime(at.Date) : (DateOnly?)null;
        return await LoadAsync(therapist, day, tz, request, format, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid? therapist, DateOnly? week, string? tz, Guid? request, string? format, CancellationToken cancellationToken)
    {
        var all = await Mediator.Send(new Therapists.List(), cancellationToken);
        Visible = CalendarsOf(all);
        if (Visible.Length == 0)
        {
            return false;
        }

        if (request is { } intakeId)
        {
            Booking = await Mediator.Send(new IntakeWorklist.Find(intakeId), cancellationToken);
            Format = format is "in-person" or "video" ? format : Booking?.PreferredFormat is "video" ? "video" : "in-person";
        }

        var chosen = Visible.FirstOrDefault(t => t.Id == (therapist ?? Booking?.AssignedTherapistId ?? Actor.TherapistId)) ?? Visible[0];
        TherapistId = chosen.Id;
        Zone = ViewerZone(tz, chosen.TimeZone);
        Zones = [.. new[] { chosen.TimeZone, Practice.TimeZone, Booking?.TimeZone, Zone.Id, "UTC" }.Where(z => !string.IsNullOrEmpty(z)).Select(z => z!).Distinct()];

        var today = Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(Zone).Date;
        if (week is { } asked && !Availability.YearInReach(asked.Year))
        {
            Errors["week"] = "Choose a week between the years 2000 and 2100.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            week = null;
        }

        var anchor = week is { } w ? LocalDate.FromDateOnly(w) : today;
        Monday = anchor.PlusDays(-(((int)anchor.DayOfWeek - 1 + 7) % 7));
        var from = Monday.AtStartOfDayInZone(Zone).ToDateTimeOffset();
        var to = Monday.PlusWeeks(1).AtStartOfDayInZone(Zone).ToDateTimeOffset();

        var sessions = await Mediator.Send(new AppointmentCalendar.Week(TherapistId, from, to), cancellationToken) ?? [];
        var slots = await Mediator.Send(new Availability.FindSlots(TherapistId, from, to, Zone.Id), cancellationToken);
        for (var d = Monday; d < Monday.PlusWeeks(1); d = d.PlusDays(1))
        {
            var date = d;
            Days.Add(new Day(date,
                [.. sessions.Where(s => Instant.FromDateTimeOffset(s.Start).InZone(Zone).Date == date)],
                [.. (slots?.Slots ?? []).Where(s => Instant.FromDateTimeOffset(s.Start).InZone(Zone).Date == date)]));
        }

        return true;
    }
}
