using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Messaging;

/// <summary>What the send job decides under its claim, with the person's current state in hand.</summary>
public abstract record SendVerdict
{
    public sealed record Send : SendVerdict;

    public sealed record Cancel(string Reason) : SendVerdict;

    public sealed record Defer(DateTime Until, string Reason) : SendVerdict;
}

/// <summary>
/// The last look before a message goes out (DESIGN invariants 3 and 4): stop, pause, the request's
/// state, the caps and the recipient's send window, evaluated while the client row is locked.
/// </summary>
public static class SendChecks
{
    public static SendVerdict Evaluate(
        OutboxMessage message,
        Client client,
        IntakeRequest? request,
        IReadOnlyList<OutboxMessage> sentBefore,
        PacingSettings settings,
        DateTime now)
    {
        if (client.ErasedAt is not null || client.ContactStatus is ContactStatus.Stopped or ContactStatus.Bounced)
        {
            return new SendVerdict.Cancel("stopped");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(client.TimeZone);
        var gentle = settings.Gentler();
        if (client.ContactStatus == ContactStatus.Paused)
        {
            if (client.PausedUntil is not { } until)
            {
                return new SendVerdict.Cancel("paused-indefinitely");
            }

            if (until > now)
            {
                return new SendVerdict.Defer(Window(until, zone, gentle), "paused");
            }
        }

        if (message.Kind.IsAutomatedFollowUp())
        {
            if (request is null || request.Status is IntakeStatus.Closed or IntakeStatus.Booked || request.AutomationStoppedReason is not null)
            {
                return new SendVerdict.Cancel("request-no-longer-open");
            }

            if (sentBefore.Count(m => m.IntakeRequestId == request.Id && m.Kind.IsAutomatedFollowUp()) >= PacingPolicy.HardCapPerRequest)
            {
                return new SendVerdict.Cancel("hard-cap");
            }

            var lastNonTransactional = sentBefore.Where(m => m.Kind.IsNonTransactional()).Select(m => m.SentAt ?? m.ClaimedAt ?? m.DueAt).DefaultIfEmpty().Max();
            if (lastNonTransactional != default && lastNonTransactional + PacingPolicy.NonTransactionalSpacing > now)
            {
                return new SendVerdict.Defer(Window(lastNonTransactional + PacingPolicy.NonTransactionalSpacing, zone, gentle), "weekly-cap");
            }
        }

        if (message.DueAt > now)
        {
            return new SendVerdict.Defer(message.DueAt, "not-due");
        }

        // The acknowledgement answers what the person just did, so it goes at once; all else waits for the window.
        if (message.Kind != MessageKind.Acknowledgement)
        {
            var window = Window(now, zone, gentle);
            if (window > now)
            {
                return new SendVerdict.Defer(window, "outside-send-window");
            }
        }

        return new SendVerdict.Send();
    }

    private static DateTime Window(DateTime at, TimeZoneInfo zone, PacingSettings settings) =>
        PacingPolicy.NextSendWindow(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), zone, settings).UtcDateTime;
}
