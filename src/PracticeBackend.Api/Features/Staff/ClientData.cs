using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>A person's right of access and right to erasure (GDPR Art. 15, 17), exercised by an admin.</summary>
public static class ClientData
{
    public sealed record Export(Guid ClientId) : IRequest<ExportView?>;

    public sealed record ExportView(
        Guid ClientId,
        string? Name,
        string? Email,
        string? Phone,
        string TimeZone,
        string Pace,
        string ContactStatus,
        DateTimeOffset CreatedAt,
        DateTimeOffset? ErasedAt,
        ExportedRequest[] Requests,
        ExportedConsent[] Consents,
        ExportedMessage[] Messages);

    public sealed record ExportedRequest(Guid IntakeId, DateTimeOffset SubmittedAt, string Status, string Pace, string PreferredFormat, string? Message, string? ClosedReason);

    /// <summary>Every email we planned or sent them, with the words of personal ones.</summary>
    public sealed record ExportedMessage(Guid Id, Guid? IntakeId, string Kind, string Status, DateTimeOffset DueAt, DateTimeOffset? SentAt, string? PersonalBody);

    public sealed record ExportedConsent(string Purpose, bool Granted, string TextVersion, string Source, DateTimeOffset RecordedAt);

    internal sealed class ExportHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, PhiProtector phi, AuditTrail audit)
        : IRequestHandler<Export, ExportView?>
    {
        public async Task<ExportView?> Handle(Export query, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var client = await db.Clients.AsNoTracking()
                .Include(c => c.IntakeRequests)
                .Include(c => c.ConsentRecords)
                .SingleOrDefaultAsync(c => c.Id == query.ClientId, cancellationToken);
            await audit.RecordAsync(staff.Actor, AuditActions.ClientExport, AuditSubjects.Client, query.ClientId,
                client is null ? AuditOutcomes.NotFound : AuditOutcomes.Success, cancellationToken);
            if (client is null)
            {
                return null;
            }

            var messages = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.ClientId == client.Id)
                .OrderBy(m => m.DueAt).ThenBy(m => m.CreatedAt)
                .ToListAsync(cancellationToken);
            return new ExportView(
                client.Id,
                phi.Unseal(client.NameSealed),
                client.EmailSealed.Length == 0 ? null : phi.Unseal(client.EmailSealed),
                phi.Unseal(client.PhoneSealed),
                client.TimeZone,
                client.Pace.ToWire(),
                client.ContactStatus.ToString().ToLowerInvariant(),
                client.CreatedAt.AsUtc(),
                client.ErasedAt is { } erased ? erased.AsUtc() : null,
                [.. client.IntakeRequests.OrderBy(r => r.SubmittedAt).Select(r => new ExportedRequest(
                    r.Id, r.SubmittedAt.AsUtc(), r.Status.ToWire(), r.Pace.ToWire(), r.PreferredFormat.ToWire(), phi.Unseal(r.MessageSealed), r.ClosedReason?.ToWire()))],
                [.. client.ConsentRecords.OrderBy(c => c.RecordedAt).Select(c => new ExportedConsent(
                    c.Purpose, c.Granted, c.TextVersion, c.Source, c.RecordedAt.AsUtc()))],
                [.. messages.Select(m => new ExportedMessage(
                    m.Id, m.IntakeRequestId, m.Kind.ToWire(), m.Status.ToString().ToLowerInvariant(), m.DueAt.AsUtc(),
                    m.SentAt is { } sent ? sent.AsUtc() : null, phi.Unseal(m.BodySealed)))]);
        }

    }

    public sealed record EraseRecord(Guid ClientId) : IRequest<StaffCommandResult>;

    internal sealed class EraseHandler(IGrainFactory grains, StaffContext staff, Jobs.BookingSteps steps) : IRequestHandler<EraseRecord, StaffCommandResult>
    {
        public async Task<StaffCommandResult> Handle(EraseRecord request, CancellationToken cancellationToken)
        {
            var result = await grains.GetGrain<IClientGrain>(request.ClientId).EraseDetails(new EraseClient(staff.Actor, AuditActions.ClientErase));
            if (result.Outcome == StaffCommandOutcome.Done)
            {
                await steps.CancelSessionsOfErasedOrLeaveToSweepAsync(request.ClientId);
            }

            return result;
        }
    }

    public static void Map(IEndpointRouteBuilder staffGroup)
    {
        var clients = staffGroup.MapGroup("/clients").RequireAuthorization(StaffAuthentication.AdminPolicy);
        clients.MapGet("/{clientId:guid}/export", async Task<Results<Ok<ExportView>, ProblemHttpResult>> (Guid clientId, IMediator mediator, CancellationToken cancellationToken) =>
            await mediator.Send(new Export(clientId), cancellationToken) is { } view ? TypedResults.Ok(view) : StaffResults.NotFound())
            .WithName("ExportClientData")
            .WithSummary("Export everything held about a person (admins)")
            .WithDescription("The right of access (GDPR Art. 15): contact details, requests, consent records and every email planned or sent. The export is audited.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapDelete("/{clientId:guid}", async (Guid clientId, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new EraseRecord(clientId), cancellationToken)))
            .WithName("EraseClientData")
            .WithSummary("Erase a person's details (admins)")
            .WithDescription("The right to erasure (GDPR Art. 17): contact details and words are removed, open requests close, planned emails are cancelled and links stop working.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
