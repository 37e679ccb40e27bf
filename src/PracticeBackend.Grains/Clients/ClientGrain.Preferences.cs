using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

public sealed partial class ClientGrain
{
    public async Task<PreferenceResult> ApplyPreference(ApplyPreference command)
    {
        if (_rows is null || _rows.Correspondence.Contact.Erased)
        {
            return new PreferenceResult(PreferenceOutcome.NotFound, null);
        }

        var (change, pausedUntil) = await WriteAsync((db, rows, now) =>
        {
            var correspondence = rows.Correspondence;
            if (correspondence.Contact.Erased)
            {
                // Erased meanwhile (seen after a conflict's reload): there is no one to apply it to.
                return Task.FromResult<(ContactChange?, DateTimeOffset?)>((null, null));
            }

            ContactChange? change = command.Kind switch
            {
                PreferenceKind.StopEmails => correspondence.Stop(now),
                PreferenceKind.Pause => correspondence.Pause(now.AddDays(command.PauseDays ?? 30), now),
                PreferenceKind.Resume => correspondence.Resume(now),
                PreferenceKind.ChangePace => correspondence.ChangePace(command.Pace ?? correspondence.Contact.Pace, now),
                PreferenceKind.NotNow => NotNow(rows, now),
                PreferenceKind.ConfirmAddress => ConfirmAddress(rows, command.IntakeId, now),
                PreferenceKind.RemindersOff => correspondence.TurnReminders(on: false, now),
                PreferenceKind.RemindersOn => correspondence.TurnReminders(on: true, now),
                _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null),
            };

            if (change == ContactChange.Applied && command.Kind is PreferenceKind.StopEmails or PreferenceKind.Pause or PreferenceKind.ConfirmAddress)
            {
                db.ConsentRecords.Add(command.Kind switch
                {
                    PreferenceKind.Pause => Consent(ClientId, null, granted: false, $"pause-{command.PauseDays ?? 30}-days", ConsentSources.EmailLink, now),
                    PreferenceKind.StopEmails => Consent(ClientId, null, granted: false, "stop", ConsentSources.EmailLink, now),
                    _ => Consent(ClientId, command.IntakeId, granted: true, "address-confirmed", ConsentSources.EmailLink, now),
                });
            }

            var paused = correspondence.Contact.StatusAt(now) == ContactStatus.Paused ? correspondence.Contact.PausedUntil : null;
            return Task.FromResult((change, paused));
        });

        if (change is not { } applied)
        {
            return new PreferenceResult(PreferenceOutcome.NotFound, null);
        }

        LogPreference(logger, ClientId, command.Kind, applied);
        return new PreferenceResult(PreferenceOutcome.Applied, pausedUntil, applied);
    }

    public async Task<StaffCommandResult> EraseDetails(EraseClient command)
    {
        if (!(command.Actor.IsAdmin || command.Actor.IsSystem) || _rows is null)
        {
            await AppendAsync(command.Actor.Audit(clock.GetUtcNow().UtcDateTime, command.AuditAction, AuditSubjects.Client, ClientId, AuditOutcomes.NotFound));
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        await WriteAsync(async (db, rows, now) =>
        {
            // Erasure cancels every planned message, for good.
            rows.Correspondence.Erase(now);
            var client = rows.Client;
            client.EmailBlindIndex = RandomNumberGenerator.GetBytes(32);
            client.EmailSealed = [];
            client.NameSealed = null;
            client.PhoneSealed = null;
            client.ErasedAt ??= now.UtcDateTime;
            foreach (var request in rows.Requests)
            {
                request.MessageSealed = null;
                request.NameSealed = null;
                request.PhoneSealed = null;
                request.IdempotencyKeyHash = null;
                request.RequestFingerprint = null;
                if (request.ClosedAt is null && rows.Correspondence.Request(request.Id)!.Status == IntakeStatus.Closed)
                {
                    request.ClosedReason = CloseReason.Withdrew;
                    request.ClosedAt = now.UtcDateTime;
                }
            }

            await db.OutboxMessages.Where(m => m.ClientId == ClientId && m.BodySealed != null)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.BodySealed, (byte[]?)null));
            await db.ContactTokens.Where(t => t.ClientId == ClientId && t.RevokedAt == null)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now.UtcDateTime));
            db.AuditEvents.Add(command.Actor.Audit(now.UtcDateTime, command.AuditAction, AuditSubjects.Client, ClientId, AuditOutcomes.Success));
            return true;
        }, setBased: true);

        // What is left is anonymous; a later look starts from the rows.
        _rows = null;
        DeactivateOnIdle();
        LogErased(logger, ClientId);
        return new StaffCommandResult(StaffCommandOutcome.Done);
    }

    /// <summary>"Not now / no thanks": open requests close gently, with one confirmation.</summary>
    private static ContactChange NotNow(CorrespondenceRows rows, DateTimeOffset now)
    {
        var open = rows.Correspondence.Requests.Where(r => r.IsOpen).Select(r => r.Id).ToList();
        if (rows.Correspondence.NotNow(now) == 0)
        {
            return ContactChange.Unchanged;
        }

        foreach (var id in open)
        {
            var request = rows.Request(id);
            request.ClosedReason = CloseReason.PersonDeclined;
            request.ClosedAt = now.UtcDateTime;
            request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.Closed, Detail = CloseReason.PersonDeclined.ToWire() });
        }

        return ContactChange.Applied;
    }

    /// <summary>
    /// The owner of a stopped (or paused) address confirmed a request sent with it: the waiting requests are
    /// theirs, and the newest one's details become the stored ones.
    /// </summary>
    private static ContactChange ConfirmAddress(CorrespondenceRows rows, Guid? intakeId, DateTimeOffset now)
    {
        var waiting = rows.Correspondence.Requests.Where(r => r.AwaitingAddressConfirmation).Select(r => rows.Request(r.Id)).ToList();
        if (intakeId is not { } id || waiting.Count == 0 || waiting[^1] is not { } newest
            || !rows.Correspondence.ConfirmAddress(id, newest.Pace, newest.TimeZone, now))
        {
            return ContactChange.Unchanged;
        }

        TakeDetails(rows.Client, newest);
        waiting.ForEach(request => request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.AddressConfirmed }));
        return ContactChange.Applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} chose {Preference}: {Change}")]
    private static partial void LogPreference(ILogger logger, Guid clientId, PreferenceKind preference, ContactChange change);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} erased")]
    private static partial void LogErased(ILogger logger, Guid clientId);
}
