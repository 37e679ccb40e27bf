using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// When a therapist works, and the open times it leaves. A therapist sets their own (an admin anyone's);
/// every member of staff may read them, since offering times is team work and nothing here is PHI.
/// </summary>
public static class Availability
{
    public const int MaxSlotQueryDays = 62;

    public sealed record RangeForm(string? Start, string? End);

    public sealed record WeeklyForm(string? Day, string? Start, string? End);

    /// <param name="Ranges">Empty or absent: closed that day.</param>
    public sealed record OverrideForm(string? Date, RangeForm[]? Ranges);

    /// <summary>The whole availability; a PUT replaces it. Times are "HH:mm" on the therapist's wall clock, in their zone.</summary>
    public sealed record Form(
        string? TimeZone,
        WeeklyForm[]? Weekly,
        OverrideForm[]? Overrides,
        int? SessionMinutes,
        int? BufferMinutes,
        int? MinimumNoticeHours,
        int? BookingWindowDays,
        int? DailyCap);

    public sealed record View(
        string TimeZone,
        WeeklyForm[] Weekly,
        OverrideForm[] Overrides,
        int SessionMinutes,
        int BufferMinutes,
        int MinimumNoticeHours,
        int BookingWindowDays,
        int? DailyCap);

    /// <param name="Start">The session's start, a UTC instant.</param>
    /// <param name="Local">The same instant on the viewer's wall clock, with its offset.</param>
    public sealed record Slot(DateTimeOffset Start, string Local);

    public sealed record SlotsView(string TherapistTimeZone, string ViewerTimeZone, int SessionMinutes, Slot[] Slots);

    public sealed record Replace(Guid TherapistId, Form Form) : IRequest<StaffCommandResult>;

    public sealed record Read(Guid TherapistId) : IRequest<View?>;

    public sealed record FindSlots(Guid TherapistId, DateTimeOffset? From, DateTimeOffset? To, string? ViewerTimeZone) : IRequest<SlotsView?>;

    public sealed class ReplaceValidator : AbstractValidator<Replace>
    {
        public ReplaceValidator()
        {
            // The wire first (names, clock times, dates); then the domain's own rules, named by the same fields.
            RuleFor(s => s.Form).Custom((form, context) =>
            {
                var wire = WireProblems(form).ToList();
                foreach (var (field, message) in wire)
                {
                    context.AddFailure(field, message);
                }

                if (wire.Count == 0)
                {
                    foreach (var problem in ToDocument(form).ToDomain().Problems())
                    {
                        context.AddFailure(problem.Field, problem.Message);
                    }
                }
            });
        }

        private static IEnumerable<(string Field, string Message)> WireProblems(Form form)
        {
            if (!IanaTimeZone.IsValid(form.TimeZone))
            {
                yield return ("timeZone", "An IANA time zone such as \"America/New_York\".");
            }

            var weekly = form.Weekly ?? [];
            if (weekly.Length > 70)
            {
                yield return ("weekly", "At most 70 weekly ranges.");
            }

            for (var i = 0; i < weekly.Length; i++)
            {
                if (AvailabilityDocument.ParseDay(weekly[i]?.Day) is null)
                {
                    yield return ($"weekly[{i}].day", "A day of the week: monday … sunday.");
                }

                foreach (var problem in ClockProblems($"weekly[{i}]", weekly[i]?.Start, weekly[i]?.End))
                {
                    yield return problem;
                }
            }

            var overrides = form.Overrides ?? [];
            if (overrides.Length > 366)
            {
                yield return ("overrides", "At most 366 date overrides.");
            }

            for (var i = 0; i < overrides.Length; i++)
            {
                if (overrides[i]?.Date is not { } date || !LocalDatePattern.Iso.Parse(date).Success)
                {
                    yield return ($"overrides[{i}].date", "A date such as \"2027-12-24\".");
                }

                var ranges = overrides[i]?.Ranges ?? [];
                if (ranges.Length > 24)
                {
                    yield return ($"overrides[{i}].ranges", "At most 24 ranges on one date.");
                    continue;
                }

                for (var r = 0; r < ranges.Length; r++)
                {
                    foreach (var problem in ClockProblems($"overrides[{i}].ranges[{r}]", ranges[r]?.Start, ranges[r]?.End))
                    {
                        yield return problem;
                    }
                }
            }
        }

        private static IEnumerable<(string, string)> ClockProblems(string field, string? start, string? end)
        {
            if (start is null || !AvailabilityDocument.Clock.Parse(start).Success)
            {
                yield return ($"{field}.start", "A time such as \"09:00\" (24-hour, on the therapist's clock).");
            }

            if (end is null || !AvailabilityDocument.Clock.Parse(end).Success)
            {
                yield return ($"{field}.end", "A time such as \"17:30\" (24-hour, on the therapist's clock).");
            }
        }
    }

    public sealed class FindSlotsValidator : AbstractValidator<FindSlots>
    {
        public FindSlotsValidator()
        {
            RuleFor(q => q.ViewerTimeZone).Must(IanaTimeZone.IsValid).When(q => q.ViewerTimeZone is not null)
                .OverridePropertyName("tz").WithMessage("An IANA time zone such as \"Europe/London\", or leave it out for the therapist's own.");
            RuleFor(q => q.From).Must(BeInReach).When(q => q.From is not null).OverridePropertyName("from").WithMessage("A date between the years 2000 and 2100.");
            RuleFor(q => q.To).Must(BeInReach).When(q => q.To is not null).OverridePropertyName("to").WithMessage("A date between the years 2000 and 2100.");
            RuleFor(q => q.To).Must((q, to) => to > q.From).When(q => q.From is not null && q.To is not null)
                .OverridePropertyName("to").WithMessage("After from.");
            RuleFor(q => q.To).Must((q, to) => to - q.From <= TimeSpan.FromDays(MaxSlotQueryDays)).When(q => q.From is not null && q.To is not null)
                .OverridePropertyName("to").WithMessage($"At most {MaxSlotQueryDays} days after from.");
        }
    }

    /// <summary>Far from the ends of the calendar types, so no date arithmetic can overflow.</summary>
    internal static bool BeInReach(DateTimeOffset? at) => at is { } instant && YearInReach(instant.Year);

    /// <summary>The years a date may name here (slots, bookings): far from where date arithmetic overflows.</summary>
    internal static bool YearInReach(int year) => year is >= 2000 and <= 2100;

    internal sealed class ReplaceHandler(IGrainFactory grains, StaffContext staff) : IRequestHandler<Replace, StaffCommandResult>
    {
        public Task<StaffCommandResult> Handle(Replace request, CancellationToken cancellationToken) =>
            grains.GetGrain<ITherapistGrain>(request.TherapistId).SetAvailability(new SetAvailability(staff.Actor, ToDocument(request.Form)));
    }

    internal sealed class ReadHandler(IGrainFactory grains) : IRequestHandler<Read, View?>
    {
        public async Task<View?> Handle(Read request, CancellationToken cancellationToken) =>
            await grains.GetGrain<ITherapistGrain>(request.TherapistId).GetAvailability() is { } document ? ToView(document) : null;
    }

    internal sealed class FindSlotsHandler(IGrainFactory grains, Grains.PracticeClock clock) : IRequestHandler<FindSlots, SlotsView?>
    {
        public async Task<SlotsView?> Handle(FindSlots request, CancellationToken cancellationToken)
        {
            var from = request.From ?? clock.GetUtcNow();
            var to = request.To ?? from.AddDays(14);
            if (to - from > TimeSpan.FromDays(MaxSlotQueryDays))
            {
                to = from.AddDays(MaxSlotQueryDays);
            }

            if (await grains.GetGrain<ITherapistGrain>(request.TherapistId).FindOpenSlots(new FindOpenSlots(from, to)) is not { } open)
            {
                return null;
            }

            var viewer = IanaTimeZone.Find(request.ViewerTimeZone ?? open.TimeZone);
            return new SlotsView(open.TimeZone, viewer.Id, open.SessionMinutes,
                [.. open.Starts.Select(s => new Slot(s, OffsetDateTimePattern.ExtendedIso.Format(Instant.FromDateTimeOffset(s).InZone(viewer).ToOffsetDateTime())))]);
        }
    }

    private static AvailabilityDocument ToDocument(Form form) => new(
        form.TimeZone!,
        [.. (form.Weekly ?? []).Select(w => new WeeklyRangeDocument(AvailabilityDocument.Day(AvailabilityDocument.ParseDay(w.Day)!.Value), w.Start!, w.End!))],
        [.. (form.Overrides ?? []).Select(o => new DateOverrideDocument(o.Date!, [.. (o.Ranges ?? []).Select(r => new RangeDocument(r.Start!, r.End!))]))],
        form.SessionMinutes ?? Domain.Scheduling.Availability.DefaultSessionMinutes,
        form.BufferMinutes ?? Domain.Scheduling.Availability.DefaultBufferMinutes,
        form.MinimumNoticeHours ?? Domain.Scheduling.Availability.DefaultMinimumNoticeHours,
        form.BookingWindowDays ?? Domain.Scheduling.Availability.DefaultBookingWindowDays,
        form.DailyCap);

    private static View ToView(AvailabilityDocument document) => new(
        document.TimeZone,
        [.. document.Weekly.Select(w => new WeeklyForm(w.Day, w.Start, w.End))],
        [.. document.Overrides.Select(o => new OverrideForm(o.Date, [.. o.Ranges.Select(r => new RangeForm(r.Start, r.End))]))],
        document.SessionMinutes,
        document.BufferMinutes,
        document.MinimumNoticeHours,
        document.BookingWindowDays,
        document.DailyCap);

    public static void Map(IEndpointRouteBuilder staffGroup)
    {
        var group = staffGroup.MapGroup("/therapists/{therapistId:guid}");
        group.MapGet("/availability", async Task<Results<Ok<View>, ProblemHttpResult>> (Guid therapistId, IMediator mediator, CancellationToken cancellationToken) =>
            await mediator.Send(new Read(therapistId), cancellationToken) is { } view ? TypedResults.Ok(view) : StaffResults.NotFound())
            .WithName("GetAvailability")
            .WithSummary("Read when a therapist works")
            .WithDescription("Weekly ranges and date overrides on the therapist's wall clock in their IANA zone, and how sessions fit. A therapist who has not said offers no times.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/availability", async (Guid therapistId, Form form, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Replace(therapistId, form), cancellationToken)))
            .WithName("SetAvailability")
            .WithSummary("Replace when a therapist works")
            .WithDescription("The therapist sets their own, an admin anyone's (someone else's answers 404). Overlapping or inverted ranges, a date given twice and unknown zones answer 400 naming the field. Availability shapes what is offered, not what a therapist may book on their own calendar.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/slots", async Task<Results<Ok<SlotsView>, ProblemHttpResult>> (
                Guid therapistId,
                [FromQuery] DateTimeOffset? from,
                [FromQuery] DateTimeOffset? to,
                [FromQuery] string? tz,
                IMediator mediator,
                CancellationToken cancellationToken) =>
            await mediator.Send(new FindSlots(therapistId, from, to, tz), cancellationToken) is { } slots ? TypedResults.Ok(slots) : StaffResults.NotFound())
            .WithName("FindSlots")
            .WithSummary("Open session starts of a therapist")
            .WithDescription($"Starts in [from, to) (ISO 8601 with an offset; default now and 14 days on, at most {MaxSlotQueryDays} days) as UTC instants and on the viewer's clock (tz, default the therapist's zone). Whole sessions inside working hours, clear of what is held or booked by the buffer, after the minimum notice, inside the booking window and under the daily cap.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
