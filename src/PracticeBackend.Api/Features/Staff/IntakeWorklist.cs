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

    public sealed record Query(string? Status, int Page) : IRequest<Page>;

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
            var visible = db.IntakeRequests.AsNoTracking().VisibleTo(staff.Actor).Where(r => statuses.Contains(r.Status));
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

    public static bool IsStatus(string? status) =>
        status is null || Enum.GetValues<IntakeStatus>().Any(s => s.ToWire() == status);

    private static IntakeStatus ParseStatus(string status) => Enum.GetValues<IntakeStatus>().First(s => s.ToWire() == status);

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() =>
            RuleFor(q => q.Status).Must(IsStatus)
                .WithMessage("Status is one of: submitted, in-conversation, times-offered, booked, closed.");
    }

    public static void Map(IEndpointRouteBuilder intake) =>
        intake.MapGet("/", async (string? status, int? page, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new Query(status, page ?? 1), cancellationToken)))
            .WithName("ListIntakeQueue")
            .WithSummary("List the intake queue")
            .WithDescription("Requests that need a human: crisis-flagged first, then whoever has waited longest; 50 a page. " +
                "No names or words here — opening a request (GetIntakeDetail) shows them and is audited.");
}
