using System.Globalization;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// DESIGN.md's table "Every kind of message", one test per row: when it goes, which caps it counts toward
/// and is held by, and whether it may go after a stop. Each row is judged by <see cref="Delivery"/>, the
/// function both planning and the send job call.
/// </summary>
public sealed class MessageTableTests
{
    private static readonly Guid Request = Guid.Parse("0197a000-0000-7000-8000-00000000000a");

    // Saturday 2026-06-06 23:00 in New York (EDT): outside the send window. The next window opens Monday 09:00 EDT.
    private static readonly DateTimeOffset SaturdayNight = At("2026-06-07T03:00:00Z");
    private static readonly DateTimeOffset MondayMorning = At("2026-06-08T13:00:00Z");

    // Wednesday 2026-06-10 11:00 EDT: inside the window.
    private static readonly DateTimeOffset WednesdayLateMorning = At("2026-06-10T15:00:00Z");

    private static readonly Contact Open = Contact.New(Pace.Gentle, "America/New_York");
    private static readonly Contact Stopped = Open.Stop();

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static DeliveryDecision Decide(
        MessageRow row,
        DateTimeOffset now,
        Contact? contact = null,
        IReadOnlyList<PastMessage>? history = null,
        RequestState? request = null,
        Session? session = null) =>
        Delivery.Decide(
            MessageRules.For(row),
            request ?? new RequestState(Request, IntakeStatus.InConversation, now.AddDays(-30)),
            notBefore: now,
            notBeforeRule: null,
            new DeliveryContext(contact ?? Open, history ?? [], PacingSettings.Default, now),
            session);

    private static DateTimeOffset GoesAt(DeliveryDecision decision) => Assert.IsType<SendAt>(decision).At;

    private static string HeldBecause(DeliveryDecision decision) => Assert.IsType<DoNotSend>(decision).Reason;

    /// <summary>A gentle check-in went out yesterday: anything held by the weekly cap waits six more days.</summary>
    private static readonly PastMessage CheckInYesterday = new(Request, MessageKind.GentleCheckIn, WednesdayLateMorning.AddDays(-1));

    [Fact]
    public void Acknowledgement_GoesAtOnceAtAnyHour_CountsTowardNoCap_AndNeverAfterAStop()
    {
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.Acknowledgement, SaturdayNight, history: [CheckInYesterday])));
        Assert.Equal(HoldReasons.Stopped, HeldBecause(Decide(MessageRow.Acknowledgement, SaturdayNight, Stopped)));
        Assert.False(MessageRules.For(MessageRow.Acknowledgement).CountsTowardWeeklyCap);
    }

    [Fact]
    public void AddressConfirmation_GoesAtOnce_AfterAStop_AtMostOncePerThirtyDays()
    {
        var confirmationAsked = new PastMessage(null, MessageKind.AddressConfirmation, SaturdayNight.AddDays(-29));

        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.AddressConfirmation, SaturdayNight, Stopped)));
        Assert.Equal(HoldReasons.SentRecently, HeldBecause(Decide(MessageRow.AddressConfirmation, SaturdayNight, Stopped, [confirmationAsked])));
        Assert.Equal(SaturdayNight.AddDays(2), GoesAt(Decide(MessageRow.AddressConfirmation, SaturdayNight.AddDays(2), Stopped, [confirmationAsked])));
    }

    [Fact]
    public void AutomatedFollowUp_WaitsForTheWindow_IsHeldByAndCountsTowardBothCaps_AndNeverGoesAfterAStop()
    {
        Assert.Equal(MondayMorning, GoesAt(Decide(MessageRow.AutomatedFollowUp, SaturdayNight)));
        Assert.Equal(WednesdayLateMorning.AddDays(6), GoesAt(Decide(MessageRow.AutomatedFollowUp, WednesdayLateMorning, history: [CheckInYesterday])));
        var threeWent = Enumerable.Range(1, 3).Select(i => new PastMessage(Request, MessageKind.GentleCheckIn, WednesdayLateMorning.AddDays(-10 * i))).ToList();
        Assert.Equal(HoldReasons.HardCap, HeldBecause(Decide(MessageRow.AutomatedFollowUp, WednesdayLateMorning, history: threeWent)));
        Assert.Equal(HoldReasons.Stopped, HeldBecause(Decide(MessageRow.AutomatedFollowUp, WednesdayLateMorning, Stopped)));
        var paused = Open.Pause(WednesdayLateMorning.AddDays(30), WednesdayLateMorning).Contact;
        Assert.Equal(WednesdayLateMorning.AddDays(30), GoesAt(Decide(MessageRow.AutomatedFollowUp, WednesdayLateMorning, paused)));
    }

    [Fact]
    public void PersonalMessage_WaitsForTheWindow_CountsTowardTheWeeklyCapButIsNotHeldByIt_AndNeverGoesAfterAStop()
    {
        Assert.Equal(MondayMorning, GoesAt(Decide(MessageRow.PersonalMessage, SaturdayNight)));
        Assert.Equal(WednesdayLateMorning, GoesAt(Decide(MessageRow.PersonalMessage, WednesdayLateMorning, history: [CheckInYesterday])));
        var personalYesterday = new PastMessage(Request, MessageKind.Personal, WednesdayLateMorning.AddDays(-1));
        Assert.Equal(WednesdayLateMorning.AddDays(6), GoesAt(Decide(MessageRow.AutomatedFollowUp, WednesdayLateMorning, history: [personalYesterday])));
        Assert.Equal(HoldReasons.Stopped, HeldBecause(Decide(MessageRow.PersonalMessage, WednesdayLateMorning, Stopped)));
    }

    [Theory]
    [InlineData(MessageRow.OfferOfTimes)]
    [InlineData(MessageRow.ReleasedHold)]
    [InlineData(MessageRow.OutcomeOfStaffClose)]
    public void StaffAndAutomationNotes_WaitForTheWindow_CountTowardNoCap_AndNeverGoAfterAStop(MessageRow row)
    {
        Assert.Equal(MondayMorning, GoesAt(Decide(row, SaturdayNight)));
        Assert.Equal(WednesdayLateMorning, GoesAt(Decide(row, WednesdayLateMorning, history: [CheckInYesterday])));
        Assert.Equal(HoldReasons.Stopped, HeldBecause(Decide(row, WednesdayLateMorning, Stopped)));
        Assert.False(MessageRules.For(row).CountsTowardWeeklyCap);
    }

    [Fact]
    public void PersonsOwnAction_IsConfirmedAtOnce_AtAnyHour_EvenAfterAStop()
    {
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.PersonsOwnAction, SaturdayNight, history: [CheckInYesterday])));
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.PersonsOwnAction, SaturdayNight, Stopped)));
        var paused = Open.Pause(SaturdayNight.AddDays(30), SaturdayNight).Contact;
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.PersonsOwnAction, SaturdayNight, paused)));
    }

    [Fact]
    public void BookingChangeByStaff_WaitsForTheWindow_UnlessTheSessionIsWithin48Hours_AndGoesAfterAStop()
    {
        var nextWeek = new Session(SaturdayNight.AddDays(7), StillOn: true);
        var tomorrow = new Session(SaturdayNight.AddDays(1), StillOn: true);

        Assert.Equal(MondayMorning, GoesAt(Decide(MessageRow.BookingChangeByStaff, SaturdayNight, session: nextWeek)));
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.BookingChangeByStaff, SaturdayNight, session: tomorrow)));
        Assert.Equal(MondayMorning, GoesAt(Decide(MessageRow.BookingChangeByStaff, SaturdayNight, Stopped, session: nextWeek)));
    }

    [Fact]
    public void SessionReminder_GoesInTheLastWindowEndingADayBefore_SoAMondaySessionIsRemindedOnFriday_AndNeverAfterAStopOrACancellation()
    {
        // Monday 2026-06-15 10:00 EDT; decided on Wednesday the 10th.
        var monday = new Session(At("2026-06-15T14:00:00Z"), StillOn: true);

        // Friday 09:00 EDT is 73 h before; the reminder waits until 72 h before: Friday 10:00 EDT.
        Assert.Equal(At("2026-06-12T14:00:00Z"), GoesAt(Decide(MessageRow.SessionReminder, WednesdayLateMorning, session: monday)));
        Assert.Equal(HoldReasons.Stopped, HeldBecause(Decide(MessageRow.SessionReminder, WednesdayLateMorning, Stopped, session: monday)));
        Assert.Equal(HoldReasons.SessionNotOn, HeldBecause(Decide(MessageRow.SessionReminder, WednesdayLateMorning, session: monday with { StillOn = false })));
    }

    [Fact]
    public void StaffNotice_GoesAtOnce_WhateverThePersonsContactState_ButNothingIsSentAboutAnErasedPerson()
    {
        Assert.Equal(SaturdayNight, GoesAt(Decide(MessageRow.StaffNotice, SaturdayNight, Stopped)));
        Assert.Equal(HoldReasons.Erased, HeldBecause(Decide(MessageRow.StaffNotice, SaturdayNight, Open.Erase())));
    }

    [Fact]
    public void AfterErasure_NoRowSendsAnything()
    {
        foreach (var row in Enum.GetValues<MessageRow>())
        {
            Assert.Equal(HoldReasons.Erased, HeldBecause(Decide(row, WednesdayLateMorning, Open.Erase(), session: new Session(WednesdayLateMorning.AddDays(5), true))));
        }
    }

    [Fact]
    public void EveryKindHasAWireName_AndEveryRowARule()
    {
        foreach (var kind in Enum.GetValues<MessageKind>())
        {
            Assert.Matches("^[a-z-]+$", kind.ToWire());
        }

        Assert.Equal(Enum.GetValues<MessageRow>().Length, MessageRules.All.Count);
    }
}
