using System.Globalization;
using NodaTime;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// Every transition of a person's contact state, and what is planned next. One row per story: a person
/// (in New York) writes in on Monday 2026-06-01 at 10:00 with a pace, things happen, and the row says which
/// messages are then planned — kind, local time and the rule that chose it — or that nothing is.
/// Messages that fall due on the way are sent, as the send job would.
/// </summary>
public sealed class ContactTransitionsTests
{
    private static readonly Dictionary<string, (Action<Story> Steps, string[] Planned)> Stories = new()
    {
        ["gentle: a check-in seven days after writing"] = (
            s => s.Submit(Pace.Gentle),
            ["Acknowledgement Mon 06-01 10:00 at-once", "GentleCheckIn Mon 06-08 10:00 check-in-after-last-contact"]),
        ["gentle, after the check-in: the closing note 21 days after writing"] = (
            s => { s.Submit(Pace.Gentle); s.Day(7, 10); },
            ["ClosingNote Mon 06-22 10:00 closing-note-after-last-contact"]),
        ["gentle, after the closing note: nothing, ever"] = (
            s => { s.Submit(Pace.Gentle); s.Day(7, 10); s.Day(21, 10); s.Day(120, 10); },
            []),
        ["when-ready: nothing after the acknowledgement"] = (
            s => { s.Submit(Pace.WhenReady); s.Day(0, 11); },
            []),
        ["pace changed to when-ready: the check-in is cancelled"] = (
            s => { s.Submit(Pace.Gentle); s.Day(2, 10); s.ChangePace(Pace.WhenReady); },
            []),
        ["pace changed to when-ready and back to gentle: a check-in seven days after the change"] = (
            s => { s.Submit(Pace.Gentle); s.Day(2, 10); s.ChangePace(Pace.WhenReady); s.Day(9, 12); s.ChangePace(Pace.Gentle); },
            ["GentleCheckIn Wed 06-17 12:00 check-in-after-last-contact"]),
        ["pace changed to two weeks: one check-in two weeks after the change"] = (
            s => { s.Submit(Pace.Gentle); s.Day(3, 10); s.ChangePace(Pace.CheckIn2Weeks); },
            ["ScheduledCheckIn Thu 06-18 10:00 check-in-on-chosen-date"]),
        ["paused for 30 days: the check-in waits for the pause to end"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Pause(30); },
            ["GentleCheckIn Thu 07-02 10:00 pause-ends"]),
        ["paused, then resumed: the check-in is back where the pace puts it"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Pause(30); s.Day(2, 10); s.Resume(); },
            ["GentleCheckIn Mon 06-08 10:00 check-in-after-last-contact"]),
        ["a pause that has ended: the check-in went at its end, the closing note a week after it"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Pause(30); s.Day(31, 12); },
            ["ClosingNote Thu 07-09 10:00 weekly-spacing"]),
        ["stopped: nothing"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); },
            []),
        ["stopped, then a pause link from an older email: still nothing"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(1, 10); s.Pause(30); s.Day(40, 10); },
            []),
        ["stopped, then a pace link: still nothing"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(1, 10); s.ChangePace(Pace.Gentle); },
            []),
        ["not now: one confirmation at once, then nothing"] = (
            s => { s.Submit(Pace.Gentle); s.Day(5, 22); s.NotNow(); },
            ["ClosedAtTheirRequest Sat 06-06 22:00 at-once"]),
        ["stopped, then a new request with the address: one address confirmation at once, nothing else"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(10, 23); s.Submit(Pace.Gentle); },
            ["AddressConfirmation Thu 06-11 23:00 at-once"]),
        ["stopped, a new request, its owner confirms: a check-in seven days after the confirmation"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(10, 11); s.Submit(Pace.Gentle); s.Day(11, 9); s.ConfirmLastRequest(); },
            ["GentleCheckIn Fri 06-19 09:00 check-in-after-last-contact"]),
        ["stopped, then two new requests within 30 days: one address confirmation only"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(10, 11); s.Submit(Pace.Gentle); s.Day(12, 11); s.Submit(Pace.Gentle); },
            []),
        ["stopped, two new requests within 30 days, the owner confirms: the newest request's pace is followed"] = (
            s => { s.Submit(Pace.Gentle); s.Stop(); s.Day(10, 11); s.Submit(Pace.WhenReady); s.Day(12, 11); s.Submit(Pace.CheckIn2Weeks); s.Day(13, 10); s.ConfirmLastRequest(); },
            ["ScheduledCheckIn Mon 06-29 09:00 next-send-window"]),
        ["writes twice, then not now: one confirmation for the one click"] = (
            s => { s.Submit(Pace.Gentle); s.Day(2, 10); s.Submit(Pace.Gentle); s.Day(3, 10); s.NotNow(); },
            ["ClosedAtTheirRequest Thu 06-04 10:00 at-once"]),
        ["writes, then pauses before the acknowledgement went: the acknowledgement is not sent late"] = (
            s => { s.Submit(Pace.Gentle); s.Pause(30); s.Day(40, 10); },
            []),
        ["paused, then a new request with the address: an address confirmation"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Pause(90); s.Day(3, 10); s.Submit(Pace.CheckIn1Month); },
            ["AddressConfirmation Thu 06-04 10:00 at-once"]),
        ["the person replied: nothing more automated"] = (
            s => { s.Submit(Pace.Gentle); s.Day(2, 10); s.Replied(); },
            []),
        ["staff wrote personally on day 3: it goes, and the check-in moves to seven days after it"] = (
            s => { s.Submit(Pace.Gentle); s.Day(3, 15); s.WritePersonally(); },
            ["Personal Thu 06-04 15:00 in-send-window", "GentleCheckIn Thu 06-11 15:00 check-in-after-last-contact"]),
        ["staff wrote personally at night: it waits for the morning"] = (
            s => { s.Submit(Pace.Gentle); s.Day(3, 21); s.WritePersonally(); },
            ["Personal Fri 06-05 09:00 next-send-window", "GentleCheckIn Fri 06-12 09:00 weekly-spacing"]),
        ["staff wrote during a pause: their message goes when it ends, the check-in a week after it"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Pause(30); s.Day(3, 10); s.WritePersonally(); },
            ["Personal Thu 07-02 10:00 pause-ends", "GentleCheckIn Thu 07-09 10:00 weekly-spacing"]),
        ["staff closed the request at night: the outcome waits for the morning, and nothing follows it"] = (
            s => { s.Submit(Pace.Gentle); s.Day(4, 20); s.CloseByStaff(); },
            ["Outcome Mon 06-08 09:00 next-send-window"]),
        ["erased: nothing, ever"] = (
            s => { s.Submit(Pace.Gentle); s.Day(1, 10); s.Erase(); s.Day(30, 10); },
            []),
        ["the address bounced: nothing"] = (
            s => { s.Submit(Pace.Gentle); s.Day(7, 10, bounce: true); },
            []),
        ["crisis language: the acknowledgement and a note to staff go, no automated check-ins"] = (
            s => s.Submit(Pace.Gentle, needsAHuman: true),
            ["Acknowledgement Mon 06-01 10:00 at-once", "StaffCrisisAlert Mon 06-01 10:00 at-once"]),
    };

    public static TheoryData<string> StoryNames() => [.. Stories.Keys];

    [Theory]
    [MemberData(nameof(StoryNames))]
    public void WhatIsPlannedNext(string story)
    {
        var (steps, planned) = Stories[story];
        var person = new Story();

        steps(person);

        Assert.Equal(planned, person.Planned());
    }

    [Fact]
    public void StopThenNewRequest_KeepsContactStopped_UntilTheOwnerConfirms()
    {
        var person = new Story();
        person.Submit(Pace.Gentle);
        person.Stop();
        person.Day(2, 10);

        Assert.Equal(Submission.AwaitingAddressConfirmation, person.Submit(Pace.CheckIn1Month));
        Assert.Equal(ContactStatus.Stopped, person.Correspondence.Contact.Status);
        Assert.Equal(Pace.Gentle, person.Correspondence.Contact.Pace);

        person.ConfirmLastRequest();

        Assert.Equal(ContactStatus.Open, person.Correspondence.Contact.Status);
        Assert.Equal(Pace.CheckIn1Month, person.Correspondence.Contact.Pace);
    }

    [Fact]
    public void ARefusedOnDutyAddress_DoesNotMarkThePersonsAddressBounced()
    {
        var person = new Story();
        person.Submit(Pace.Gentle, needsAHuman: true);
        var alert = person.Correspondence.Messages.Single(m => m.Kind == MessageKind.StaffCrisisAlert);
        var now = alert.DueAt;

        Assert.IsType<Claim.Send>(person.Correspondence.ClaimToSend(alert.Id, now));
        person.Correspondence.RecordOutcome(alert.Id, new SendResult.Permanent("smtp-550", RecipientRejected: true), now);

        Assert.Equal(ContactStatus.Open, person.Correspondence.Contact.Status);
        Assert.Contains(person.Correspondence.Messages, m => m.Kind == MessageKind.Acknowledgement && m.IsPlanned);
    }

    /// <summary>One person's correspondence, driven the way the grains and the send job drive it.</summary>
    public sealed class Story
    {
        private static readonly DateTimeZone NewYork = IanaTimeZone.Find("America/New_York");
        private static readonly LocalDate Start = new(2026, 6, 1);

        public Story() => Correspondence = new Correspondence(Contact.New(Pace.Gentle, "America/New_York"), [], [], PacingSettings.Default);

        public Correspondence Correspondence { get; }

        private DateTimeOffset Now { get; set; } = At(0, 10);

        public Submission Submit(Pace pace, bool needsAHuman = false)
        {
            LastPace = pace;
            return Correspondence.Submit(Guid.CreateVersion7(Now), pace, "America/New_York", needsAHuman, Now);
        }

        /// <summary>Moves to a day (after the first message) and hour, sending whatever falls due on the way.</summary>
        public void Day(int day, int hour, bool bounce = false)
        {
            var until = At(day, hour);
            while (Correspondence.Messages.Where(m => m.IsPlanned && !m.Kind.IsForStaff() && m.DueAt <= until).MinBy(m => m.DueAt) is { } due)
            {
                Now = due.DueAt > Now ? due.DueAt : Now;
                Deliver(bounce);
            }

            Now = until;
            Deliver(bounce);
        }

        public void ChangePace(Pace pace) => Correspondence.ChangePace(pace, Now);

        public void Pause(int days) => Correspondence.Pause(Now.AddDays(days), Now);

        public void Resume() => Correspondence.Resume(Now);

        public void Stop() => Correspondence.Stop(Now);

        public void NotNow() => Correspondence.NotNow(Now);

        public void Erase() => Correspondence.Erase(Now);

        public void Replied() => Correspondence.Replied(Correspondence.Requests[^1].Id, Now);

        public void WritePersonally() => Assert.Equal(StaffChange.Done, Correspondence.WritePersonally(Correspondence.Requests[^1].Id, Guid.CreateVersion7(Now), Now));

        public void CloseByStaff() => Assert.Equal(StaffChange.Done, Correspondence.CloseByStaff(Correspondence.Requests[^1].Id, CloseReason.NoResponse, Now));

        public void ConfirmLastRequest() => Assert.True(Correspondence.ConfirmAddress(Correspondence.Requests[^1].Id, LastPace, "America/New_York", Now));

        /// <summary>Planned messages, earliest first, as "Kind Ddd MM-dd HH:mm rule" in the person's zone.</summary>
        public string[] Planned() =>
        [
            .. Correspondence.Messages.Where(m => m.IsPlanned).OrderBy(m => m.DueAt).ThenBy(m => m.Kind)
                .Select(m => $"{m.Kind} {Local(m.DueAt)} {m.DueRule}"),
        ];

        private Pace LastPace { get; set; } = Pace.Gentle;

        private void Deliver(bool bounce = false)
        {
            foreach (var message in Correspondence.Messages.Where(m => m.IsPlanned && m.DueAt <= Now && !m.Kind.IsForStaff()).ToList())
            {
                if (Correspondence.ClaimToSend(message.Id, Now) is Claim.Send)
                {
                    Correspondence.RecordOutcome(message.Id, bounce ? new SendResult.Permanent("smtp-550", RecipientRejected: true) : new SendResult.Sent(), Now);
                    Correspondence.Replan(Now);
                }
            }
        }

        private static DateTimeOffset At(int day, int hour) =>
            (Start.PlusDays(day) + new LocalTime(hour, 0)).InZoneLeniently(NewYork).ToDateTimeOffset();

        private static string Local(DateTimeOffset at) =>
            Instant.FromDateTimeOffset(at).InZone(NewYork).ToString("ddd MM-dd HH:mm", CultureInfo.InvariantCulture);
    }
}
