using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>One request, opened: the person's words and contact details, decrypted — and audited before they are returned.</summary>
public static class IntakeDetail
{
    public sealed record Query(Guid IntakeId) : IRequest<View?>;

    public sealed record View(
        Guid IntakeId,
        Guid ClientId,
        string Status,
        DateTimeOffset SubmittedAt,
        bool NeedsPromptAttention,
        string? Name,
        string? Email,
        string? Phone,
        string TimeZone,
        string? Message,
        string Pace,
        string ChosenPaceNow,
        string PreferredFormat,
        string ContactStatus,
        Guid? AssignedTherapistId,
        string? ClosedReason,
        TimelineEntry[] Timeline,
        MessageEntry[] Messages,
        OfferEntry[] Offers);

    /// <summary>
    /// Each offer of times for this request and the person's answer: picked (with its appointment), none-work
    /// (with the times they usually have), not-now, or lapsed; open ones until their hold ends.
    /// </summary>
    public sealed record OfferEntry(Guid OfferId, Guid TherapistId, string Status, string Format, DateTimeOffset[] Starts, DateTimeOffset LapsesAt, string[] Usually, Guid? AppointmentId, DateTimeOffset? AnsweredAt);

    /// <summary>
    /// Every email planned for this request and what became of it: when it is due and which rule chose that
    /// time, or why it will not go (<paramref name="StatusReason"/>); "uncertain" ones need a human to check.
    /// </summary>
    public sealed record MessageEntry(Guid Id, string Kind, string Status, DateTimeOffset DueAt, string? DueRule, DateTimeOffset? SentAt, int Attempts, string? StatusReason);

    public sealed record TimelineEntry(DateTimeOffset At, string Kind, Guid? ActorUserId, Guid? TherapistId, string? Detail);

    internal sealed class Handler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, PhiProtector phi, AuditTrail audit)
        : IRequestHandler<Query, View?>
    {
        public async Task<View?> Handle(Query query, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var request = await db.IntakeRequests.AsNoTracking()
                .VisibleTo(actor)
                .Include(r => r.Client)
                .Include(r => r.Events.OrderBy(e => e.At))
                .SingleOrDefaultAsync(r => r.Id == query.IntakeId, cancellationToken);
            await audit.RecordAsync(actor, AuditActions.IntakeRead, AuditSubjects.IntakeRequest, query.IntakeId,
                request is null ? AuditOutcomes.NotFound : AuditOutcomes.Success, cancellationToken);
            if (request is null)
            {
                return null;
            }

            var client = request.Client!;
            var messages = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.IntakeRequestId == request.Id)
                .OrderBy(m => m.DueAt).ThenBy(m => m.CreatedAt)
                .ToListAsync(cancellationToken);
            var offers = await db.Offers.AsNoTracking()
                .Where(o => o.IntakeRequestId == request.Id)
                .OrderBy(o => o.CreatedAt)
                .ToListAsync(cancellationToken);
            return new View(
                request.Id,
                client.Id,
                request.Status.ToWire(),
                new DateTimeOffset(request.SubmittedAt, TimeSpan.Zero),
                request.NeedsPromptAttention,
                phi.Unseal(client.NameSealed),
                client.EmailSealed.Length == 0 ? null : phi.Unseal(client.EmailSealed),
                phi.Unseal(client.PhoneSealed),
                client.TimeZone,
                phi.Unseal(request.MessageSealed),
                request.Pace.ToWire(),
                client.Pace.ToWire(),
                request.PreferredFormat.ToWire(),
                client.ContactStatus.ToString().ToLowerInvariant(),
                request.AssignedTherapistId,
                request.ClosedReason?.ToWire(),
                [.. request.Events.Select(e => new TimelineEntry(new DateTimeOffset(e.At, TimeSpan.Zero), e.Kind, e.ActorUserId, e.TherapistId, e.Detail))],
                [.. messages.Select(m => new MessageEntry(m.Id, m.Kind.ToWire(), m.Status.ToString().ToLowerInvariant(), new DateTimeOffset(m.DueAt, TimeSpan.Zero),
                    m.DueRule, m.SentAt is { } sent ? new DateTimeOffset(sent, TimeSpan.Zero) : null, m.Attempts, m.StatusReason))],
                [.. offers.Select(o => new OfferEntry(o.Id, o.TherapistId, Offers.Offers.Wire(o.Status), Offers.Offers.Wire(o.Format),
                    [.. o.Starts.Select(s => new DateTimeOffset(s, TimeSpan.Zero))], new DateTimeOffset(o.LapsesAt, TimeSpan.Zero), [.. o.Usually], o.AppointmentId,
                    o.AnsweredAt is { } answered ? new DateTimeOffset(answered, TimeSpan.Zero) : null))]);
        }
    }

    public static void Map(IEndpointRouteBuilder intake) =>
        intake.MapGet("/{intakeId:guid}", async Task<Results<Ok<View>, ProblemHttpResult>> (Guid intakeId, IMediator mediator, CancellationToken cancellationToken) =>
            await mediator.Send(new Query(intakeId), cancellationToken) is { } view ? TypedResults.Ok(view) : StaffResults.NotFound())
            .WithName("GetIntakeDetail")
            .WithSummary("Open one intake request")
            .WithDescription("The person's words and contact details, their timeline and every email planned for them. Each read is recorded in the audit trail.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
