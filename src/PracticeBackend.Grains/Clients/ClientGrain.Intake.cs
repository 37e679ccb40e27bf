using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;

namespace PracticeBackend.Grains.Clients;

public sealed partial class ClientGrain
{
    public async Task<AcceptIntakeResult> AcceptIntake(AcceptIntake command)
    {
        var isNew = _rows is null;
        if (!isNew && (_rows!.Correspondence.Contact.Erased || !_rows.Client.EmailBlindIndex.AsSpan().SequenceEqual(command.Submission.Contact.EmailBlindIndex)))
        {
            // Erased, or their address changed, since the door looked them up: this address is no longer theirs.
            return new AcceptIntakeResult(AcceptIntakeOutcome.EmailBelongsToAnotherClient);
        }

        try
        {
            var outcome = isNew ? await AcceptFromSomeoneNewAsync(command) : await WriteAsync((db, rows, now) => Task.FromResult(Accept(db, rows, command, now)));
            LogAccepted(logger, ClientId, command.IntakeId, isNew, outcome);
            return new AcceptIntakeResult(AcceptIntakeOutcome.Accepted, Summary(_rows!.Request(command.IntakeId)));
        }
        catch (DbUpdateException exception) when (DbErrors.UniqueViolation(exception) is { } constraint)
        {
            // WriteAsync (or the insert below) has put memory back to what is stored.
            if (isNew && constraint == "ix_clients_email_blind_index")
            {
                DeactivateOnIdle();
                return new AcceptIntakeResult(AcceptIntakeOutcome.EmailBelongsToAnotherClient);
            }

            if (constraint is "pk_intake_requests" or "ix_intake_requests_idempotency_key_hash")
            {
                return new AcceptIntakeResult(AcceptIntakeOutcome.IntakeAlreadyExists, await StoredSummaryAsync(command));
            }

            throw;
        }
    }

    /// <summary>The first request from this address: the client row is inserted with it, in one transaction.</summary>
    private async Task<Submission> AcceptFromSomeoneNewAsync(AcceptIntake command)
    {
        var submission = command.Submission;
        var now = clock.GetUtcNow();
        var client = new Client
        {
            Id = ClientId,
            EmailBlindIndex = submission.Contact.EmailBlindIndex,
            EmailSealed = submission.Contact.EmailSealed,
            TimeZone = submission.TimeZone,
            Pace = submission.Pace,
            ContactStatus = ContactStatus.Open,
            CreatedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };
        var rows = CorrespondenceRows.ForNew(client, pacing);
        await using var db = await contexts.CreateDbContextAsync();
        db.Clients.Add(client);
        var outcome = Accept(db, rows, command, now);
        rows.WriteBack(db, now.UtcDateTime);
        try
        {
            await db.SaveChangesAsync();
        }
        catch
        {
            // Refused (the unique keys) or unknown (a connection lost during the commit): the next call
            // loads what is true.
            _rows = null;
            _loaded = false;
            throw;
        }

        _rows = rows;
        return outcome;
    }

    /// <summary>The request, its consent, and what the person's correspondence plans for it (ADR 0003).</summary>
    private static Submission Accept(PracticeDbContext db, CorrespondenceRows rows, AcceptIntake command, DateTimeOffset now)
    {
        var submission = command.Submission;
        var request = new IntakeRequest
        {
            Id = command.IntakeId,
            ClientId = rows.Client.Id,
            Status = IntakeStatus.Submitted,
            Pace = submission.Pace,
            PreferredFormat = submission.PreferredFormat,
            MessageSealed = submission.MessageSealed,
            NameSealed = submission.Contact.NameSealed,
            PhoneSealed = submission.Contact.PhoneSealed,
            TimeZone = submission.TimeZone,
            NeedsPromptAttention = submission.NeedsPromptAttention,
            SubmittedAt = now.UtcDateTime,
            LastContactAt = now.UtcDateTime,
            IdempotencyKeyHash = submission.IdempotencyKeyHash,
            RequestFingerprint = submission.RequestFingerprint,
        };
        request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.Submitted });
        db.IntakeRequests.Add(request);
        rows.Add(request);

        var outcome = rows.Correspondence.Submit(request.Id, submission.Pace, submission.TimeZone, submission.NeedsPromptAttention, now);
        if (outcome == Submission.Welcomed)
        {
            // An open contact writing again: their newest words on how to reach them stand.
            TakeDetails(rows.Client, request);
        }

        db.ConsentRecords.Add(Consent(rows.Client.Id, request.Id, granted: true, submission.ConsentVersion, ConsentSources.IntakeForm, now));
        return outcome;
    }

    private async Task<RequestSummary?> StoredSummaryAsync(AcceptIntake command)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var stored = await db.IntakeRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == command.IntakeId || (command.Submission.IdempotencyKeyHash != null && r.IdempotencyKeyHash == command.Submission.IdempotencyKeyHash));
        return stored is null ? null : Summary(stored);
    }

    internal static RequestSummary Summary(IntakeRequest request) =>
        new(request.Id, request.ClientId, request.Status, request.Pace, request.RequestFingerprint, request.IdempotencyKeyHash is not null);

    private static void TakeDetails(Client client, IntakeRequest request)
    {
        client.NameSealed = request.NameSealed ?? client.NameSealed;
        client.PhoneSealed = request.PhoneSealed ?? client.PhoneSealed;
    }

    private static ConsentRecord Consent(Guid clientId, Guid? intakeId, bool granted, string version, string source, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientId,
        IntakeRequestId = intakeId,
        Purpose = ConsentPurposes.Contact,
        Granted = granted,
        TextVersion = version,
        Source = source,
        RecordedAt = now.UtcDateTime,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} accepted intake {IntakeId} (new client: {IsNewClient}; {Submission})")]
    private static partial void LogAccepted(ILogger logger, Guid clientId, Guid intakeId, bool isNewClient, Submission submission);
}
