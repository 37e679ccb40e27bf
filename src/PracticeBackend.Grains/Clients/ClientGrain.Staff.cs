using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

public sealed partial class ClientGrain
{
    public async Task<StaffCommandResult> ChangeRequest(RequestChange command)
    {
        var actor = command.Actor;
        var action = command.Kind switch
        {
            RequestChangeKind.Assign => AuditActions.IntakeAssign,
            RequestChangeKind.Close => AuditActions.IntakeClose,
            RequestChangeKind.WritePersonally => AuditActions.PersonalMessage,
            RequestChangeKind.MarkReplied => AuditActions.IntakeReplied,
            RequestChangeKind.MarkBooked => AuditActions.IntakeBooked,
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null),
        };

        // Need to know, where the assignment is: a request that is not theirs is "not found", never a 403 with details.
        if (_rows?.FindRequest(command.IntakeId) is not { } visible || !actor.MaySee(visible))
        {
            await AppendAsync(actor.Audit(clock.GetUtcNow().UtcDateTime, action, AuditSubjects.IntakeRequest, command.IntakeId, AuditOutcomes.NotFound));
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        if (command.Kind == RequestChangeKind.Assign && !actor.IsAdmin && command.TherapistId != actor.TherapistId)
        {
            await AppendAsync(actor.Audit(clock.GetUtcNow().UtcDateTime, action, AuditSubjects.IntakeRequest, command.IntakeId, AuditOutcomes.Denied));
            return new StaffCommandResult(StaffCommandOutcome.NotPermitted);
        }

        if (command.Kind == RequestChangeKind.Assign && !await TherapistExistsAsync(command.TherapistId))
        {
            await AppendAsync(actor.Audit(clock.GetUtcNow().UtcDateTime, action, AuditSubjects.IntakeRequest, command.IntakeId, AuditOutcomes.Denied));
            return new StaffCommandResult(StaffCommandOutcome.UnknownTherapist);
        }

        var outcome = await WriteAsync((db, rows, now) =>
        {
            // Asked again inside the write: after a conflict's reload, the request may have been reassigned.
            if (rows.FindRequest(command.IntakeId) is not { } request || !actor.MaySee(request))
            {
                db.AuditEvents.Add(actor.Audit(now.UtcDateTime, action, AuditSubjects.IntakeRequest, command.IntakeId, AuditOutcomes.NotFound));
                return Task.FromResult(StaffCommandOutcome.NotFound);
            }

            var outcome = Apply(db, rows, request, command, now);
            db.AuditEvents.Add(actor.Audit(now.UtcDateTime, action, AuditSubjects.IntakeRequest, command.IntakeId,
                outcome == StaffCommandOutcome.Done ? AuditOutcomes.Success : AuditOutcomes.Denied));
            return Task.FromResult(outcome);
        });

        if (outcome == StaffCommandOutcome.Done)
        {
            LogChanged(logger, command.IntakeId, action);
        }

        return new StaffCommandResult(outcome);
    }

    private static StaffCommandOutcome Apply(PracticeDbContext db, Messaging.CorrespondenceRows rows, IntakeRequest request, RequestChange command, DateTimeOffset now)
    {
        var correspondence = rows.Correspondence;
        switch (command.Kind)
        {
            case RequestChangeKind.Assign:
                var assigned = Outcome(correspondence.Assign(request.Id));
                if (assigned == StaffCommandOutcome.Done)
                {
                    request.AssignedTherapistId = command.TherapistId;
                    request.Events.Add(Event(request, now, IntakeEventKinds.Assigned, command.Actor, command.TherapistId, null));
                }

                return assigned;

            case RequestChangeKind.Close:
                var reason = command.Reason ?? throw new ArgumentException("Closing needs a reason.", nameof(command));
                var closed = Outcome(correspondence.CloseByStaff(request.Id, reason, now));
                if (closed == StaffCommandOutcome.Done)
                {
                    request.ClosedReason = reason;
                    request.ClosedAt = now.UtcDateTime;
                    request.Events.Add(Event(request, now, IntakeEventKinds.Closed, command.Actor, null, reason.ToWire()));
                }

                return closed;

            case RequestChangeKind.WritePersonally:
                var messageId = Guid.CreateVersion7();
                var written = Outcome(correspondence.WritePersonally(request.Id, messageId, now));
                if (written == StaffCommandOutcome.Done)
                {
                    // Written back now so that the new row exists and can carry the sealed words.
                    rows.WriteBack(db, now.UtcDateTime);
                    var message = rows.Message(messageId);
                    message.BodySealed = command.BodySealed;
                    message.AuthorUserId = command.Actor.UserId;
                    request.Events.Add(Event(request, now, IntakeEventKinds.PersonalMessage, command.Actor, null, null));
                }

                return written;

            case RequestChangeKind.MarkReplied:
                // A reply means a conversation between people: automated follow-ups end for this request.
                var replied = Outcome(correspondence.Replied(request.Id, now));
                if (replied == StaffCommandOutcome.Done)
                {
                    request.Events.Add(Event(request, now, IntakeEventKinds.Replied, command.Actor, null, null));
                }

                return replied;

            case RequestChangeKind.MarkBooked:
                var wasBooked = request.Status == Domain.Intake.IntakeStatus.Booked;
                var booked = Outcome(correspondence.MarkBooked(request.Id, now));
                if (booked == StaffCommandOutcome.Done && !wasBooked)
                {
                    request.Events.Add(Event(request, now, IntakeEventKinds.Booked, command.Actor, null, null));
                }

                return booked;

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null);
        }
    }

    private async Task<bool> TherapistExistsAsync(Guid? therapistId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return therapistId is { } id && await db.Therapists.AnyAsync(t => t.Id == id);
    }

    private static StaffCommandOutcome Outcome(StaffChange change) => change switch
    {
        StaffChange.Done => StaffCommandOutcome.Done,
        StaffChange.NotAllowedInThisState => StaffCommandOutcome.NotAllowedInThisState,
        _ => StaffCommandOutcome.NotFound,
    };

    private static IntakeEvent Event(IntakeRequest request, DateTimeOffset at, string kind, StaffActor actor, Guid? therapistId, string? detail) => new()
    {
        IntakeRequestId = request.Id,
        At = at.UtcDateTime,
        Kind = kind,
        ActorUserId = actor.UserId,
        TherapistId = therapistId,
        Detail = detail,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId}: {Action} by staff")]
    private static partial void LogChanged(ILogger logger, Guid intakeId, string action);
}
