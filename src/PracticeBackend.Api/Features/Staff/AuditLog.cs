using MediatR;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>Admins read the audit trail, by subject; reading it is itself recorded.</summary>
public static class AuditLog
{
    public const int PageSize = 100;

    public sealed record Query(Guid? Subject, int Page) : IRequest<Entry[]>;

    public sealed record Entry(long Id, DateTimeOffset At, Guid? ActorUserId, string? ActorRole, string Action, string? SubjectType, Guid? SubjectId, string? RequestId, string Outcome);

    internal sealed class Handler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, AuditTrail audit) : IRequestHandler<Query, Entry[]>
    {
        public async Task<Entry[]> Handle(Query query, CancellationToken cancellationToken)
        {
            await audit.RecordAsync(staff.Actor, AuditActions.AuditRead, AuditSubjects.Client, query.Subject, AuditOutcomes.Success, cancellationToken);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var events = db.AuditEvents.AsNoTracking();
            if (query.Subject is { } subject)
            {
                events = events.Where(e => e.SubjectId == subject);
            }

            return await events.OrderByDescending(e => e.Id)
                .Skip((Paging.Clamp(query.Page) - 1) * PageSize).Take(PageSize)
                .Select(e => new Entry(e.Id, new DateTimeOffset(e.At, TimeSpan.Zero), e.ActorUserId, e.ActorRole, e.Action, e.SubjectType, e.SubjectId, e.RequestId, e.Outcome))
                .ToArrayAsync(cancellationToken);
        }
    }

    public static void Map(IEndpointRouteBuilder staffGroup) =>
        staffGroup.MapGet("/audit", async (Guid? subject, int? page, IMediator mediator, CancellationToken cancellationToken) =>
                TypedResults.Ok(await mediator.Send(new Query(subject, page ?? 1), cancellationToken)))
            .RequireAuthorization(StaffAuthentication.AdminPolicy)
            .WithName("ReadAuditLog")
            .WithSummary("Read the audit trail (admins)")
            .WithDescription("Newest first, 100 a page, optionally for one subject (a request, a client or a member of staff). Reading it is itself recorded.");
}
