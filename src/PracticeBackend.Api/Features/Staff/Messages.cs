using FluentValidation;
using MediatR;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// A staff member writes to the person in their own words (sealed like all PHI until it is sent), or
/// records that the person replied. Either way automated follow-ups step aside.
/// </summary>
public static class Messages
{
    public sealed record PersonalForm(string? Body);

    public sealed record SendPersonal(Guid IntakeId, PersonalForm Form) : IRequest<StaffCommandResult>;

    public sealed class SendPersonalValidator : AbstractValidator<SendPersonal>
    {
        public SendPersonalValidator() =>
            RuleFor(m => m.Form.Body).NotEmpty().MaximumLength(IntakeLimits.MessageMaxLength).OverridePropertyName("body")
                .WithMessage($"Write the message (up to {IntakeLimits.MessageMaxLength} characters).");
    }

    internal sealed class SendPersonalHandler(IGrainFactory grains, StaffContext staff, PhiProtector phi, OutboxSignal outbox)
        : IRequestHandler<SendPersonal, StaffCommandResult>
    {
        public async Task<StaffCommandResult> Handle(SendPersonal request, CancellationToken cancellationToken)
        {
            var result = await grains.GetGrain<IIntakeRequestGrain>(request.IntakeId)
                .SendPersonalMessage(new SendPersonalMessage(staff.Actor, phi.Seal(request.Form.Body!.Trim())!));
            outbox.Nudge();
            return result;
        }
    }

    public sealed record Replied(Guid IntakeId) : IRequest<StaffCommandResult>;

    internal sealed class RepliedHandler(IGrainFactory grains, StaffContext staff) : IRequestHandler<Replied, StaffCommandResult>
    {
        public Task<StaffCommandResult> Handle(Replied request, CancellationToken cancellationToken) =>
            grains.GetGrain<IIntakeRequestGrain>(request.IntakeId).MarkReplied(new MarkReplied(staff.Actor));
    }

    public static void Map(IEndpointRouteBuilder intake)
    {
        intake.MapPost("/{intakeId:guid}/messages", async (Guid intakeId, PersonalForm form, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new SendPersonal(intakeId, form), cancellationToken)))
            .WithName("SendPersonalMessage")
            .WithSummary("Write to the person in your own words")
            .WithDescription("Sent in the person's sending window; it pauses automated follow-ups and resets their clock. Refused (409) once they stopped contact or their address bounced.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        intake.MapPost("/{intakeId:guid}/replied", async (Guid intakeId, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Replied(intakeId), cancellationToken)))
            .WithName("MarkReplied")
            .WithSummary("Record that the person replied")
            .WithDescription("A conversation between people has started: automated follow-ups for this request end.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
