using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// The queue: requests that need a human, crisis-flagged first, then whoever has waited longest.
/// It shows no PHI (no names, no words) — opening a request does, and that is audited.
/// </summary>
public static class IntakeWorklist
{
    public const int PageSize = 50;

    private static readonly IntakeStatus[] Open = [IntakeStatus.Submitted, IntakeStatus.InConversation, IntakeStatus.TimesOffered];

    /// <param name="Assigned">"mine" (assigned to the signed-in therapist), "unassigned", or null for all one may see.</param>
    public sealed record Query(string? Status, int Page, string? Assigned = null) : IRequest<Page>;

    public static readonly IReadOnlyList<string> AssignedFilters = ["mine", "unassigned"];

    public sealed record Item(
        Guid IntakeId,
        string Status,
        DateTimeOffset SubmittedAt,
        bool NeedsPromptAttention,
        string Pace,
        string PreferredFormat,
        Guid? AssignedTherapistId,
        OfferAnswer? LatestOffer);

    /// <summary>Where the request's newest offer of times stands: open, picked, none-work (with the times they usually have), not-now or lapsed.</summary>
    public sealed record OfferAnswer(string Status, string[] Usually);

    public sealed record Page(int PageNumber, int PageSize, int Total, Item[] Items);

    internal sealed class Handler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff) : IRequestHandler<Query, Page>
    {
        public async Task<Page> Handle(Query query, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var statuses = query.Status is null ? Open : [ParseStatus(query.Status)];
            var actor = staff.Actor;
            var visible = db.IntakeRequests.AsNoTracking().VisibleTo(actor).Where(r => statuses.Contains(r.Status));
            visible = query.Assigned switch
            {
                "mine" => visible.Where(r => actor.TherapistId != null && r.AssignedTherapistId == actor.TherapistId),
                "unassigned" => visible.Where(r => r.AssignedTherapistId == null),
                _ => visible,
            };
            var page = Paging.Clamp(query.Page);
            var rows = await visible
                .OrderByDescending(r => r.NeedsPromptAttention)
                .ThenBy(r => r.SubmittedAt)
                .Skip((page - 1) * PageSize)
                .Take(PageSize)
                .Select(r => new
                {
                    r.Id, r.Status, r.SubmittedAt, r.NeedsPromptAttention, r.Pace, r.PreferredFormat, r.AssignedTherapistId,
                    Offer = db.Offers.Where(o => o.IntakeRequestId == r.Id).OrderByDescending(o => o.CreatedAt).Select(o => new { o.Status, o.Usually }).FirstOrDefault(),
                })
                .ToListAsync(cancellationToken);
            return new Page(page, PageSize, await visible.CountAsync(cancellationToken), [.. rows.Select(r => new Item(
                r.Id, r.Status.ToWire(), new DateTimeOffset(r.SubmittedAt, TimeSpan.Zero), r.NeedsPromptAttention,
                r.Pace.ToWire(), r.PreferredFormat.ToWire(), r.AssignedTherapistId,
                r.Offer is { } offer ? new OfferAnswer(Offers.Offers.Wire(offer.Status), [.. offer.Usually]) : null))]);
        }
    }

    /// <summary>One request as the queue knows it, with the person's zone (for offering times in it); no PHI, so not audited.</summary>
    public sealed record Find(Guid IntakeId) : IRequest<Summary?>;

    public sealed record Summary(Guid IntakeId, Guid ClientId, string Status, Guid? AssignedTherapistId, string PreferredFormat, string TimeZone);

    internal sealed class FindHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff) : IRequestHandler<Find, Summary?>
    {
        public async Task<Summary?> Handle(Find query, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var row = await db.IntakeRequests.AsNoTracking().VisibleTo(staff.Actor).Where(r => r.Id == query.IntakeId)
                .Select(r => new { r.Id, r.ClientId, r.Status, r.AssignedTherapistId, r.PreferredFormat, r.TimeZone })
                .SingleOrDefaultAsync(cancellationToken);
            return row is null ? null : new Summary(row.Id, row.ClientId, row.Status.ToWire(), row.AssignedTherapistId, row.PreferredFormat.ToWire(), row.TimeZone);
        }
    }

    public static bool IsStatus(string? status) =>
        status is null || Enum.GetValues<IntakeStatus>().Any(s => s.ToWire() == status);

    private static IntakeStatus ParseStatus(string status) => Enum.GetValues<IntakeStatus>().First(s => s.ToWire() == status);

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Status).Must(IsStatus)
                .WithMessage("Status is one of: submitted, in-conversation, times-offered, booked, closed.");
            RuleFor(q => q.Assigned).Must(a => a is null || AssignedFilters.Contains(a))
                .WithMessage("Assigned is mine or unassigned, or left out for every request you may see.");
        }
    }

    public static void Map(IEndpointRouteBuilder intake) =>
        intake.MapGet("/", async (string? status, int? page, string? assigned, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new Query(status, page ?? 1, assigned), cancellationToken)))
            .WithName("ListIntakeQueue")
            .WithSummary("List the intake queue")
            .WithDescription("Requests that need a human: crisis-flagged first, then whoever has waited longest; 50 a page; assigned=mine or unassigned narrows it. " +
                "No names or words here — opening a request (GetIntakeDetail) shows them and is audited.");
}
