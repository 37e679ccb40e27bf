using FluentValidation;
using MediatR;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>Assign a request to a therapist, or close it with a reason. The grain checks need-to-know and audits.</summary>
public static class ChangeIntake
{
    public sealed record AssignForm(Guid? TherapistId);

    public sealed record Assign(Guid IntakeId, AssignForm Form) : IRequest<StaffCommandResult>;

    public sealed class AssignValidator : AbstractValidator<Assign>
    {
        public AssignValidator() =>
            RuleFor(a => a.Form.TherapistId).NotNull().OverridePropertyName("therapistId").WithMessage("Choose a therapist.");
    }

    internal sealed class AssignHandler(IGrainFactory grains, StaffContext staff) : IRequestHandler<Assign, StaffCommandResult>
    {
        public Task<StaffCommandResult> Handle(Assign request, CancellationToken cancellationToken) =>
            grains.GetGrain<IIntakeRequestGrain>(request.IntakeId).Assign(new AssignIntake(staff.Actor, request.Form.TherapistId!.Value));
    }

    public sealed record CloseForm(string? Reason);

    public sealed record Close(Guid IntakeId, CloseForm Form) : IRequest<StaffCommandResult>;

    public sealed class CloseValidator : AbstractValidator<Close>
    {
        public CloseValidator() =>
            RuleFor(c => c.Form.Reason).Must(r => CloseReasonNames.TryParse(r, out _)).OverridePropertyName("reason")
                .WithMessage($"Reason is one of: {string.Join(", ", CloseReasonNames.All)}.");
    }

    internal sealed class CloseHandler(IGrainFactory grains, StaffContext staff, Jobs.OutboxSignal outbox) : IRequestHandler<Close, StaffCommandResult>
    {
        public async Task<StaffCommandResult> Handle(Close request, CancellationToken cancellationToken)
        {
            var reason = CloseReasonNames.TryParse(request.Form.Reason, out var parsed) ? parsed : throw new InvalidOperationException("The validator lets only known reasons through.");
            var result = await grains.GetGrain<IIntakeRequestGrain>(request.IntakeId).Close(new CloseIntake(staff.Actor, reason));
            outbox.Nudge();
            return result;
        }
    }

    public static void Map(IEndpointRouteBuilder intake)
    {
        intake.MapPost("/{intakeId:guid}/assign", async (Guid intakeId, AssignForm form, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Assign(intakeId, form), cancellationToken)))
            .WithName("AssignIntake")
            .WithSummary("Assign a request to a therapist")
            .WithDescription("A therapist may take a request for themselves; an admin may hand it to anyone.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        intake.MapPost("/{intakeId:guid}/close", async (Guid intakeId, CloseForm form, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Close(intakeId, form), cancellationToken)))
            .WithName("CloseIntake")
            .WithSummary("Close a request with a reason")
            .WithDescription("Every closed request sends the person one outcome message: no silent declines. Automated follow-ups stop.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
