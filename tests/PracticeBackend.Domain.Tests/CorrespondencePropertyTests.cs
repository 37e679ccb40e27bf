using CsCheck;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Testing;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// The property DESIGN.md promises: ten thousand simulated people, each with 90 days of random events
/// (pace changes, pauses, stops, replies, new requests, staff messages, bounces, mail outages and a sender
/// that stops for hours, so the clock jumps, across DST changes in seven zones), through the real planning
/// and the real send-time re-check of <see cref="Correspondence"/>, never break a rule of the message table
/// as <see cref="MessageTableOracle"/> states it.
/// </summary>
public sealed class CorrespondencePropertyTests
{
    [Fact]
    public void TenThousandPeople_NinetyDaysOfRandomEvents_NeverBreakTheMessageTable() =>
        PersonScripts.People.Sample(
            script =>
            {
                var story = DomainRun.Of(script);
                var broken = MessageTableOracle.Violations(script.TimeZone, story).Concat(MessageTableOracle.Missing(story)).ToList();
                Assert.True(broken.Count == 0, $"{script}\n{string.Join('\n', broken)}");
            },
            iter: 10_000);

    [Theory]
    [InlineData(Pace.WhenReady, new[] { MessageKind.Acknowledgement })]
    [InlineData(Pace.Gentle, new[] { MessageKind.Acknowledgement, MessageKind.GentleCheckIn, MessageKind.ClosingNote })]
    [InlineData(Pace.CheckIn2Weeks, new[] { MessageKind.Acknowledgement, MessageKind.ScheduledCheckIn })]
    [InlineData(Pace.CheckIn1Month, new[] { MessageKind.Acknowledgement, MessageKind.ScheduledCheckIn })]
    [InlineData(Pace.CheckIn3Months, new[] { MessageKind.Acknowledgement, MessageKind.ScheduledCheckIn })]
    public void APersonWhoDoesNothingMore_GetsExactlyWhatTheirPacePromised(Pace pace, MessageKind[] expected) =>
        Gen.Select(Gen.Int[0, 364 * 24 * 60], Gen.Int[0, 6], (minute, zone) => (minute, zone)).Sample(
            pick =>
            {
                string[] zones = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland", "America/Los_Angeles", "UTC"];
                var script = new PersonScript(zones[pick.zone], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(pick.minute), pace, false, []);

                var received = DomainRun.Of(script).OfType<Delivered>().Select(d => d.Kind).ToArray();

                Assert.Equal(expected, received);
            },
            iter: 500);
}

/// <summary>Drives one person's <see cref="Correspondence"/> through a script, as the grains and the send job would, and records what happened.</summary>
internal static class DomainRun
{
    public static IReadOnlyList<Entry> Of(PersonScript script)
    {
        var settings = PacingSettings.Default;
        var correspondence = new Correspondence(Contact.New(script.Pace, script.TimeZone), [], [], settings);
        var story = new List<Entry>();
        var end = script.Start.AddDays(PersonScript.WatchedDays);
        var actions = new Queue<Scripted>(script.Actions);
        var senderBackAt = DateTimeOffset.MinValue;
        var smtpBackAt = DateTimeOffset.MinValue;
        var bounceNext = false;
        var now = script.Start;

        Write(script.Pace, script.Crisis);
        for (var step = 0; step < 10_000; step++)
        {
            var nextAction = actions.TryPeek(out var peek) ? script.Start.AddDays(peek.Day) : DateTimeOffset.MaxValue;
            var nextDue = correspondence.Messages.Where(m => m.IsPlanned).Select(m => (DateTimeOffset?)m.DueAt).Min() ?? DateTimeOffset.MaxValue;
            if (nextDue < senderBackAt)
            {
                nextDue = senderBackAt;
            }

            now = Max(now, nextAction < nextDue ? nextAction : nextDue);
            if (now >= end)
            {
                return story;
            }

            if (nextAction <= now)
            {
                Do(actions.Dequeue());
            }

            if (now >= senderBackAt)
            {
                Send();
            }
        }

        throw new InvalidOperationException($"The simulation did not settle: {script}");

        void Write(Pace pace, bool crisis)
        {
            var id = Guid.NewGuid();
            correspondence.Submit(id, pace, script.TimeZone, crisis, now);
            story.Add(new Wrote(now, id, pace, crisis));
        }

        void Do(Scripted action)
        {
            if (correspondence.Contact.Erased)
            {
                // Their record is gone; were they to write again, they would be someone new.
                return;
            }

            var latest = correspondence.Requests[^1].Id;
            switch (action.Act)
            {
                case Act.ChangePace:
                    correspondence.ChangePace(action.Pace, now);
                    story.Add(new ChosePace(now, action.Pace));
                    break;
                case Act.Pause30 or Act.Pause90:
                    var until = now.AddDays(action.Act == Act.Pause30 ? 30 : 90);
                    if (correspondence.Pause(until, now) == ContactChange.Applied)
                    {
                        story.Add(new Paused(now, until));
                    }

                    break;
                case Act.Resume when correspondence.Resume(now) == ContactChange.Applied:
                    story.Add(new Resumed(now));
                    break;
                case Act.Stop:
                    correspondence.Stop(now);
                    story.Add(new Stopped(now));
                    break;
                case Act.NotNow:
                    correspondence.NotNow(now);
                    story.Add(new SaidNotNow(now));
                    break;
                case Act.Reply when correspondence.Replied(latest, now) == StaffChange.Done:
                    story.Add(new RepliedTo(now, latest));
                    break;
                case Act.StaffWrite when correspondence.WritePersonally(latest, Guid.NewGuid(), now) == StaffChange.Done:
                    story.Add(new StaffWrote(now, latest));
                    break;
                case Act.StaffClose when correspondence.CloseByStaff(latest, CloseReason.NoResponse, now) == StaffChange.Done:
                    story.Add(new StaffClosed(now, latest));
                    break;
                case Act.WriteAgain:
                    Write(action.Pace, action.Crisis);
                    break;
                case Act.ConfirmAddress when correspondence.Requests.LastOrDefault(r => r.AwaitingAddressConfirmation) is { } awaiting
                    && correspondence.ConfirmAddress(awaiting.Id, PaceOf(awaiting.Id), script.TimeZone, now):
                    story.Add(new ConfirmedAddress(now, awaiting.Id));
                    break;
                case Act.Erase:
                    correspondence.Erase(now);
                    story.Add(new Erased(now));
                    break;
                case Act.BounceNext:
                    bounceNext = true;
                    break;
                case Act.SmtpDown:
                    smtpBackAt = now.AddHours(action.Hours);
                    break;
                case Act.SenderDown:
                    senderBackAt = now.AddHours(action.Hours);
                    break;
            }
        }

        void Send()
        {
            foreach (var message in correspondence.Messages.Where(m => m.IsPlanned && m.DueAt <= now).OrderBy(m => m.DueAt).ToList())
            {
                if (correspondence.ClaimToSend(message.Id, now) is not Claim.Send)
                {
                    continue;
                }

                SendResult result = now < smtpBackAt ? new SendResult.Transient("smtp-down")
                    : bounceNext && !message.Kind.IsForStaff() ? new SendResult.Permanent("smtp-550", RecipientRejected: true)
                    : new SendResult.Sent();
                correspondence.RecordOutcome(message.Id, result, now);
                correspondence.Replan(now);
                if (message.Status == MessageStatus.Failed)
                {
                    story.Add(new GaveUp(now, message.RequestId, message.Kind));
                }

                switch (result)
                {
                    case SendResult.Sent:
                        story.Add(new Delivered(now, message.RequestId, message.Kind));
                        break;
                    case SendResult.Permanent:
                        bounceNext = false;
                        story.Add(new Bounced(now));
                        break;
                }
            }
        }

        Pace PaceOf(Guid requestId) => story.OfType<Wrote>().Single(w => w.RequestId == requestId).Pace;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
