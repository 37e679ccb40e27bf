using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// A person's sessions, as their correspondence hears of them: the staff booking note (in the window, or at
/// once within 48 h), one reminder in the last window ending a day before (a Monday session's on Friday),
/// never a reminder after a move away, a cancellation or a stop, and no word of a cancellation for a session
/// they never heard of.
/// </summary>
public sealed class SessionCorrespondenceTests
{
    // Tuesday 9 March 2027, 16:00 in London: inside the send window.
    private static readonly DateTimeOffset Now = new(2027, 3, 9, 16, 0, 0, TimeSpan.Zero);
    private static readonly Guid RequestId = Guid.NewGuid();
    private static readonly Guid AppointmentId = Guid.NewGuid();

    // Monday 15 March 2027, 10:00 in London.
    private static readonly DateTimeOffset Monday = new(2027, 3, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AStaffBooking_IsOneNoteInTheWindow_AndOneReminderOnTheFridayBefore()
    {
        var person = Person();

        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now.AddMinutes(5));

        Assert.Equal(TimingRules.InSendWindow, Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionBooked).DueRule);
        var reminder = Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionReminder);
        // Friday's window, from 72 hours before the session.
        Assert.Equal(new DateTimeOffset(2027, 3, 12, 10, 0, 0, TimeSpan.Zero), reminder.DueAt);
        Assert.Equal(TimingRules.ReminderWindow, reminder.DueRule);
    }

    [Fact]
    public void ABookingWithin48Hours_IsToldAtOnce_EvenOnASaturdayNight()
    {
        var saturdayNight = new DateTimeOffset(2027, 3, 13, 22, 0, 0, TimeSpan.Zero);
        var person = Person();

        person.SessionChanged(News(SessionChange.Booked, Monday, 0), saturdayNight);

        var note = Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionBooked);
        Assert.Equal(saturdayNight, note.DueAt);
        Assert.Equal(TimingRules.SessionWithin48Hours, note.DueRule);
    }

    [Fact]
    public void AMove_WithdrawsTheOldReminder_AndPlansOneForTheNewTime()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);

        person.SessionChanged(News(SessionChange.Moved, Monday.AddDays(2), 1), Now.AddHours(1));

        var reminders = person.Messages.Where(m => m.Kind == MessageKind.SessionReminder).ToList();
        Assert.Equal(HoldReasons.Superseded, reminders.Single(r => r.SubjectSequence == 0).StatusReason);
        Assert.True(reminders.Single(r => r.SubjectSequence == 1).IsPlanned);
        Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionMoved && m.IsPlanned);
    }

    [Fact]
    public void AStaffCancellation_EndsTheReminder_AndIsToldOnlyIfTheyHeardOfTheSession()
    {
        var unheard = Person();
        unheard.Pause(Now.AddDays(30), Now);
        unheard.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);
        unheard.SessionChanged(News(SessionChange.Cancelled, Monday, 1), Now.AddHours(1));
        Assert.DoesNotContain(unheard.Messages, m => m.IsPlanned);
        Assert.DoesNotContain(unheard.Messages, m => m.Kind == MessageKind.SessionCancelled);

        var heard = Person();
        heard.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);
        Sent(heard, MessageKind.SessionBooked, Now);
        heard.Stop(Now.AddHours(1));
        heard.SessionChanged(News(SessionChange.Cancelled, Monday, 1), Now.AddHours(2));

        Assert.Equal(MessageStatus.Cancelled, Assert.Single(heard.Messages, m => m.Kind == MessageKind.SessionReminder).Status);
        Assert.True(Assert.Single(heard.Messages, m => m.Kind == MessageKind.SessionCancelled).IsPlanned);
    }

    [Fact]
    public void AStop_LeavesTheSessionToldOfButEndsItsReminder()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);
        Sent(person, MessageKind.SessionBooked, Now);

        person.Stop(Now.AddHours(1));

        Assert.Equal(HoldReasons.Stopped, Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionReminder).StatusReason);
    }

    [Fact]
    public void RemindersOff_WithdrawsThem_AndOnAgain_BringsBackTheOnesStillAhead()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);

        Assert.Equal(ContactChange.Applied, person.TurnReminders(on: false, Now));
        Assert.DoesNotContain(person.Messages, m => m.Kind == MessageKind.SessionReminder && m.IsPlanned);
        person.SessionChanged(News(SessionChange.Moved, Monday.AddDays(2), 1), Now);
        Assert.DoesNotContain(person.Messages, m => m.Kind == MessageKind.SessionReminder && m.IsPlanned);

        Assert.Equal(ContactChange.Applied, person.TurnReminders(on: true, Now.AddHours(1)));
        Assert.Equal(ContactChange.Unchanged, person.TurnReminders(on: true, Now.AddHours(1)));
        var back = Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionReminder && m.IsPlanned);
        Assert.Equal(1, back.SubjectSequence);
    }

    [Fact]
    public void RemindersOffAndOnTwice_StillGiveOneReminder()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);

        person.TurnReminders(on: false, Now);
        person.TurnReminders(on: true, Now);
        person.TurnReminders(on: false, Now);
        person.TurnReminders(on: true, Now);

        Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionReminder && m.IsPlanned);
    }

    [Fact]
    public void AskingForAnotherTime_ForASessionBookedWithoutARequest_ReachesTheNewestRequest_AndBringsNoCheckInsBack()
    {
        var person = new Correspondence(Contact.New(Pace.Gentle, "Europe/London"), [], [], PacingSettings.Default);
        person.Submit(RequestId, Pace.Gentle, "Europe/London", needsAHuman: false, Now.AddDays(-2));
        Sent(person, MessageKind.Acknowledgement, Now.AddDays(-2));
        person.MarkBooked(RequestId, Now.AddDays(-1));
        var unattached = new SessionNews(AppointmentId, null, SessionChange.Booked, Monday, 0, ByPerson: false);
        person.SessionChanged(unattached, Now);

        Assert.Equal(StaffChange.Done, person.AnotherTimeAsked(unattached, Now));

        Assert.Equal(IntakeStatus.InConversation, person.Request(RequestId)!.Status);
        Assert.DoesNotContain(person.Messages, m => m.IsPlanned && m.Kind.IsAutomatedFollowUp());
        Assert.Single(person.Messages, m => m.Kind == MessageKind.AnotherTimeAsked);
    }

    [Fact]
    public void TheirOwnCancellation_IsConfirmedAtOnce_AndTheTherapistHears()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0, byPerson: true), Now);

        person.SessionChanged(News(SessionChange.Cancelled, Monday, 1, byPerson: true), Now.AddHours(30));

        Assert.Equal(Now.AddHours(30), Assert.Single(person.Messages, m => m.Kind == MessageKind.CancelledAtTheirRequest).DueAt);
        Assert.Single(person.Messages, m => m.Kind == MessageKind.TherapistSessionNote);
        Assert.DoesNotContain(person.Messages, m => m.Kind == MessageKind.SessionBooked);
        Assert.DoesNotContain(person.Messages, m => m.Kind == MessageKind.SessionReminder && m.IsPlanned);
    }

    [Fact]
    public void AskingForAnotherTime_KeepsTheSession_AndPutsTheRequestBackWithTheTherapist()
    {
        var person = Person();
        person.SessionChanged(News(SessionChange.Booked, Monday, 0), Now);

        person.AnotherTimeAsked(News(SessionChange.Booked, Monday, 0), Now);
        person.AnotherTimeAsked(News(SessionChange.Booked, Monday, 0), Now);

        Assert.Equal(IntakeStatus.InConversation, person.Request(RequestId)!.Status);
        Assert.Single(person.Messages, m => m.Kind == MessageKind.AnotherTimeAsked);
        Assert.True(Assert.Single(person.Messages, m => m.Kind == MessageKind.SessionReminder).IsPlanned);
    }

    private static SessionNews News(SessionChange change, DateTimeOffset start, int sequence, bool byPerson = false) =>
        new(AppointmentId, RequestId, change, start, sequence, byPerson);

    private static Correspondence Person()
    {
        var person = new Correspondence(Contact.New(Pace.WhenReady, "Europe/London"), [], [], PacingSettings.Default);
        person.Submit(RequestId, Pace.WhenReady, "Europe/London", needsAHuman: false, Now.AddDays(-2));
        Sent(person, MessageKind.Acknowledgement, Now.AddDays(-2));
        person.MarkBooked(RequestId, Now.AddDays(-1));
        return person;
    }

    private static void Sent(Correspondence person, MessageKind kind, DateTimeOffset at)
    {
        var message = person.Messages.Single(m => m.Kind == kind && m.IsPlanned);
        Assert.IsType<Claim.Send>(person.ClaimToSend(message.Id, at));
        person.RecordOutcome(message.Id, new SendResult.Sent(), at);
    }
}
