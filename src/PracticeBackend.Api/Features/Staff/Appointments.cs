using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Hosting;
using NodaTime.Text;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// Sessions on a therapist's calendar. A therapist books their own calendar, for their own clients; an
/// admin any. Availability shapes what is offered, not what may be booked here — but never over another
/// active appointment (the database's exclusion constraint), nor inside its buffer (the therapist's grain).
/// </summary>
public static class Appointments
{
    public sealed record BookForm(Guid? TherapistId, Guid? ClientId, Guid? IntakeId, string? Start, string? Format);

    public sealed record RescheduleForm(string? Start);

    public sealed record CancelForm(string? Reason);

    public sealed record View(Guid AppointmentId, Guid TherapistId, Guid ClientId, Guid? IntakeId, DateTimeOffset Start, DateTimeOffset End, string Format, string Status);

    public sealed record Book(BookForm Form, string? IdempotencyKey = null) : IRequest<AppointmentResult>;

    public sealed record Change(Guid AppointmentId, AppointmentChangeKind Kind, string? Start = null, string? Reason = null) : IRequest<AppointmentResult>;

    private static readonly OffsetDateTimePattern StartPattern = OffsetDateTimePattern.ExtendedIso;

    /// <summary>Why a session was cancelled, as categories only: a reason in words could carry what the person said.</summary>
    public static readonly IReadOnlyList<string> CancelReasons = ["client-asked", "therapist-unavailable", "rescheduled-elsewhere", "no-longer-needed", "other"];

    public sealed class BookValidator : AbstractValidator<Book>
    {
        public BookValidator()
        {
            RuleFor(b => b.IdempotencyKey).Must(k => IdempotencyKeys.IsUsable(k!)).When(b => b.IdempotencyKey is not null)
                .OverridePropertyName(IdempotencyKeys.Header).WithMessage($"1 to {IdempotencyKeys.MaxLength} visible ASCII characters; a new UUID per booking works well.");
            RuleFor(b => b.Form.TherapistId).NotNull().OverridePropertyName("therapistId").WithMessage("Whose calendar: a therapist id.");
            RuleFor(b => b.Form.ClientId).NotNull().OverridePropertyName("clientId").WithMessage("Who the session is with: a client id.");
            RuleFor(b => b.Form.Start).Must(BeAnInstant).OverridePropertyName("start")
                .WithMessage("The start, ISO 8601 with an offset, e.g. \"2027-03-15T09:00:00-04:00\", between the years 2000 and 2100.");
            RuleFor(b => b.Form.Format).Must(f => ParseFormat(f) is not null).OverridePropertyName("format").WithMessage("in-person or video.");
        }
    }

    public sealed class ChangeValidator : AbstractValidator<Change>
    {
        public ChangeValidator()
        {
            RuleFor(c => c.Start).Must(BeAnInstant).When(c => c.Kind == AppointmentChangeKind.Reschedule).OverridePropertyName("start")
                .WithMessage("The new start, ISO 8601 with an offset, e.g. \"2027-03-15T09:00:00-04:00\".");
            RuleFor(c => c.Reason).Must(r => r is not null && CancelReasons.Contains(r))
                .When(c => c.Kind == AppointmentChangeKind.Cancel).OverridePropertyName("reason")
                .WithMessage($"One of: {string.Join(", ", CancelReasons)} (a category, never the person's words).");
        }
    }

    internal sealed class BookHandler(IGrainFactory grains, StaffContext staff, IDbContextFactory<PracticeDbContext> contexts, Jobs.BookingSteps steps) : IRequestHandler<Book, AppointmentResult>
    {
        public async Task<AppointmentResult> Handle(Book request, CancellationToken cancellationToken)
        {
            var form = request.Form;
            var actor = staff.Actor;
            if (!await MayBookAsync(actor, form.TherapistId!.Value, form.ClientId!.Value, form.IntakeId, cancellationToken))
            {
                return new AppointmentResult(AppointmentOutcome.NotFound);
            }

            // With a key, the appointment's id comes from it: a retry after a lost answer finds its own booking.
            var appointmentId = request.IdempotencyKey is { } key ? IdempotencyKeys.IdFrom(IdempotencyKeys.Hash("appointment", key)) : Guid.CreateVersion7();
            var result = await grains.GetGrain<ITherapistGrain>(form.TherapistId.Value).Book(new BookAppointment(
                actor, appointmentId, form.ClientId.Value, form.IntakeId, StartPattern.Parse(form.Start!).Value.ToDateTimeOffset(), ParseFormat(form.Format)!.Value));
            if (result is { Outcome: AppointmentOutcome.Done, Appointment: { IntakeId: { } intakeId } booked })
            {
                await steps.CompleteOrLeaveToSweepAsync(actor, booked.TherapistId, booked.AppointmentId, intakeId);
            }

            if (result is { Outcome: AppointmentOutcome.Done, Appointment: { } made })
            {
                await steps.TellPersonOrLeaveToSweepAsync(made);
            }

            return result;
        }

        /// <summary>Need to know: a therapist books only their own calendar, and only clients with a request assigned to them.</summary>
        private async Task<bool> MayBookAsync(StaffActor actor, Guid therapistId, Guid clientId, Guid? intakeId, CancellationToken cancellationToken)
        {
            if (!actor.IsAdmin && actor.TherapistId != therapistId)
            {
                return false;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var requests = db.IntakeRequests.AsNoTracking().Where(r => r.ClientId == clientId && (intakeId == null || r.Id == intakeId));
            if (!await db.Clients.AnyAsync(c => c.Id == clientId && c.ErasedAt == null, cancellationToken))
            {
                return false;
            }

            return actor.IsAdmin
                ? intakeId is null || await requests.AnyAsync(cancellationToken)
                : await requests.AnyAsync(r => r.AssignedTherapistId == actor.TherapistId, cancellationToken);
        }
    }

    internal sealed class ChangeHandler(IGrainFactory grains, StaffContext staff, IDbContextFactory<PracticeDbContext> contexts, Jobs.BookingSteps steps) : IRequestHandler<Change, AppointmentResult>
    {
        public async Task<AppointmentResult> Handle(Change request, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var therapistId = await db.Appointments.AsNoTracking().Where(a => a.Id == request.AppointmentId).Select(a => (Guid?)a.TherapistId).SingleOrDefaultAsync(cancellationToken);
            if (therapistId is null)
            {
                return new AppointmentResult(AppointmentOutcome.NotFound);
            }

            var result = await grains.GetGrain<ITherapistGrain>(therapistId.Value).ChangeAppointment(new ChangeAppointment(
                staff.Actor, request.AppointmentId, request.Kind, request.Start is { } start ? StartPattern.Parse(start).Value.ToDateTimeOffset() : null, request.Reason));
            if (result is { Outcome: AppointmentOutcome.Done, Appointment: { } changed })
            {
                await steps.TellPersonOrLeaveToSweepAsync(changed);
            }

            return result;
        }
    }

    internal static bool BeAnInstant(string? text) =>
        text is not null && StartPattern.Parse(text) is { Success: true } parsed && Availability.YearInReach(parsed.Value.Year);

    internal static SessionFormat? ParseFormat(string? format) => format switch
    {
        "in-person" => SessionFormat.InPerson,
        "video" => SessionFormat.Video,
        _ => null,
    };

    internal static string Wire(SessionFormat format) => format == SessionFormat.InPerson ? "in-person" : "video";

    internal static string Wire(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Confirmed => "confirmed",
        AppointmentStatus.Cancelled => "cancelled",
        AppointmentStatus.Completed => "completed",
        _ => "no-show",
    };

    private static View ToView(AppointmentView a) => new(a.AppointmentId, a.TherapistId, a.ClientId, a.IntakeId, a.Start, a.End, Wire(a.Format), Wire(a.Status));

    private static ProblemHttpResult Problem(AppointmentOutcome outcome) => outcome switch
    {
        AppointmentOutcome.Taken => TypedResults.Problem(
            title: "That time is taken",
            detail: "Another appointment on this calendar is at that time or within its buffer.",
            statusCode: StatusCodes.Status409Conflict),
        AppointmentOutcome.NotInThisState => TypedResults.Problem(
            title: "Not possible in the appointment's current state",
            detail: "A cancelled appointment is not moved, and a completed or missed one is not cancelled.",
            statusCode: StatusCodes.Status409Conflict),
        AppointmentOutcome.KeyUsedForAnotherBooking => TypedResults.Problem(
            title: "This Idempotency-Key was already used for a different booking",
            detail: "Send a new key with a new booking; resend the same booking to repeat the first answer.",
            statusCode: StatusCodes.Status409Conflict),
        _ => StaffResults.NotFound(),
    };

    public static void Map(IEndpointRouteBuilder staffGroup)
    {
        var group = staffGroup.MapGroup("/appointments");
        group.MapPost("/", async Task<Results<Created<View>, ProblemHttpResult>> (
                BookForm form,
                [FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
                IMediator mediator,
                CancellationToken cancellationToken) =>
        {
            var result = await mediator.Send(new Book(form, idempotencyKey), cancellationToken);
            return result is { Outcome: AppointmentOutcome.Done, Appointment: { } booked }
                ? TypedResults.Created($"/api/staff/appointments/{booked.AppointmentId}", ToView(booked))
                : Problem(result.Outcome);
        })
            .WithName("BookAppointment")
            .WithSummary("Book a session")
            .WithDescription("On the therapist's calendar, for the therapist's session length from start (ISO 8601 with an offset). A therapist books their own calendar for their own clients; admins any. 409 when another active appointment is at that time or within its buffer. Resent with the same Idempotency-Key, the same booking answers 201 again; the key with a different booking answers 409.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        MapChange(group, "/{appointmentId:guid}/reschedule", "RescheduleAppointment", "Move a session",
            "One atomic move to a new start (ISO 8601 with an offset), the same length; 409 when the new time is taken or the appointment is no longer confirmed.",
            (Guid id, RescheduleForm form) => new Change(id, AppointmentChangeKind.Reschedule, Start: form.Start));
        MapChange(group, "/{appointmentId:guid}/cancel", "CancelAppointment", "Cancel a session",
            "Gives the time back. The reason is a category, never free text.",
            (Guid id, CancelForm form) => new Change(id, AppointmentChangeKind.Cancel, Reason: form.Reason));
        group.MapPost("/{appointmentId:guid}/complete", (Guid appointmentId, IMediator mediator, CancellationToken cancellationToken) =>
                SendAsync(mediator, new Change(appointmentId, AppointmentChangeKind.Complete), cancellationToken))
            .WithName("CompleteAppointment").WithSummary("Mark a session held")
            .WithDescription("A completed session keeps its place on the calendar.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{appointmentId:guid}/no-show", (Guid appointmentId, IMediator mediator, CancellationToken cancellationToken) =>
                SendAsync(mediator, new Change(appointmentId, AppointmentChangeKind.NoShow), cancellationToken))
            .WithName("MarkAppointmentMissed").WithSummary("Mark a session missed")
            .WithDescription("A missed session keeps its place on the calendar.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static void MapChange<TForm>(RouteGroupBuilder group, string pattern, string name, string summary, string description, Func<Guid, TForm, Change> command) =>
        group.MapPost(pattern, (Guid appointmentId, TForm form, IMediator mediator, CancellationToken cancellationToken) =>
                SendAsync(mediator, command(appointmentId, form), cancellationToken))
            .WithName(name).WithSummary(summary).WithDescription(description)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<View>, ProblemHttpResult>> SendAsync(IMediator mediator, Change change, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(change, cancellationToken);
        return result is { Outcome: AppointmentOutcome.Done, Appointment: { } view } ? TypedResults.Ok(ToView(view)) : Problem(result.Outcome);
    }
}
