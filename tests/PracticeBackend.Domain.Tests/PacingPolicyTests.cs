using System.Globalization;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// What a request's pace calls for next, and when it may go: <see cref="OutboxPlan.NextFollowUp"/>, the
/// function planning uses (the pace's sequence, then stop, pause, caps and the recipient's window).
/// </summary>
public sealed class PacingPolicyTests
{
    private static readonly Guid ThisRequest = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    private static readonly Guid OtherRequest = Guid.Parse("0197a000-0000-7000-8000-000000000002");

    // Monday 2026-06-01 10:00 in New York (EDT, UTC-4): inside the send window.
    private static readonly DateTimeOffset Submitted = At("2026-06-01T14:00:00Z");

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static PastMessage Sent(MessageKind kind, string at, Guid? request = null) => new(request ?? ThisRequest, kind, At(at));

    private sealed record Case(
        Pace Pace = Pace.Gentle,
        ContactStatus Status = ContactStatus.Open,
        DateTimeOffset? PausedUntil = null,
        IntakeStatus RequestStatus = IntakeStatus.Submitted,
        string? AutomationStopped = null,
        DateTimeOffset? LastContactAt = null,
        IReadOnlyList<PastMessage>? History = null,
        string Zone = "America/New_York",
        PacingSettings? Settings = null,
        DateTimeOffset? Now = null)
    {
        public (MessageKind? Kind, DeliveryDecision Decision) Next() => OutboxPlan.NextFollowUp(
            new Contact(Status, PausedUntil, Pace, Zone),
            new RequestState(ThisRequest, RequestStatus, LastContactAt ?? Submitted, AutomationStopped),
            History ?? [Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z")],
            Settings ?? PacingSettings.Default,
            Now ?? Submitted);
    }

    private static void Plans(Case input, MessageKind kind, string at, string? rule = null)
    {
        var (planned, decision) = input.Next();
        Assert.Equal(kind, planned);
        var send = Assert.IsType<SendAt>(decision);
        Assert.Equal(At(at), send.At);
        Assert.Equal(TimeSpan.Zero, send.At.Offset);
        if (rule is not null)
        {
            Assert.Equal(rule, send.Rule);
        }
    }

    private static void PlansNothing(Case input, string reason) =>
        Assert.Equal(reason, Assert.IsType<DoNotSend>(input.Next().Decision).Reason);

    // ---- The paces ----

    [Fact]
    public void Gentle_PlansTheCheckIn_SevenDaysAfterLastContact() =>
        Plans(new Case(), MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z", TimingRules.CheckInAfterLastContact);

    [Fact]
    public void Gentle_PlansTheClosingNote_TwentyOneDaysAfterLastContact_OnceTheCheckInWent() =>
        Plans(new Case(History: [Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z"), Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z")], Now: At("2026-06-08T14:05:00Z")),
            MessageKind.ClosingNote, "2026-06-22T14:00:00Z", TimingRules.ClosingNoteAfterLastContact);

    [Fact]
    public void Gentle_PlansNothing_AfterTheClosingNote_EvenWithoutACheckIn() =>
        PlansNothing(new Case(History: [Sent(MessageKind.ClosingNote, "2026-06-22T14:00:00Z")], Now: At("2026-07-01T14:00:00Z")), HoldReasons.SequenceComplete);

    [Fact]
    public void Gentle_MovesOnToTheClosingNote_WhenTheCheckInFailedForGood() =>
        Plans(new Case(History: [new PastMessage(ThisRequest, MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z"), ReachedThem: false)], Now: At("2026-06-08T14:05:00Z")),
            MessageKind.ClosingNote, "2026-06-22T14:00:00Z");

    [Fact]
    public void WhenReady_PlansNothing_EvenLongAfterLastContact() =>
        PlansNothing(new Case(Pace: Pace.WhenReady, Now: At("2027-06-01T14:00:00Z")), HoldReasons.PersonWillReachOut);

    [Theory]
    [InlineData(Pace.CheckIn2Weeks, "2026-06-15T14:00:00Z")]
    [InlineData(Pace.CheckIn1Month, "2026-07-01T14:00:00Z")]
    [InlineData(Pace.CheckIn3Months, "2026-08-31T13:00:00Z")] // 90 days is Sunday 2026-08-30 → Monday 09:00 EDT
    public void DatedPace_PlansOneCheckIn_OnTheChosenDate(Pace pace, string expected) =>
        Plans(new Case(Pace: pace), MessageKind.ScheduledCheckIn, expected);

    [Theory]
    [InlineData(Pace.CheckIn2Weeks)]
    [InlineData(Pace.CheckIn3Months)]
    public void DatedPace_PlansNothing_OnceItsCheckInWent(Pace pace) =>
        PlansNothing(new Case(Pace: pace, History: [Sent(MessageKind.ScheduledCheckIn, "2026-06-15T14:00:00Z")], Now: At("2026-06-16T14:00:00Z")), HoldReasons.SequenceComplete);

    // ---- What stops automation ----

    [Theory]
    [InlineData(ContactStatus.Stopped, null, HoldReasons.Stopped)]
    [InlineData(ContactStatus.Bounced, null, HoldReasons.Bounced)]
    [InlineData(ContactStatus.Open, IntakeStatus.Closed, HoldReasons.Closed)]
    [InlineData(ContactStatus.Open, IntakeStatus.Booked, HoldReasons.Booked)]
    public void NothingIsPlanned_WhenContactOrRequestHasEnded(ContactStatus status, IntakeStatus? requestStatus, string reason)
    {
        foreach (var pace in Enum.GetValues<Pace>().Where(p => p != Pace.WhenReady))
        {
            PlansNothing(new Case(Pace: pace, Status: status, RequestStatus: requestStatus ?? IntakeStatus.Submitted), reason);
        }
    }

    [Theory]
    [InlineData(AutomationStopReasons.Replied)]
    [InlineData(AutomationStopReasons.NotNow)]
    [InlineData(AutomationStopReasons.NeedsAHuman)]
    public void NothingIsPlanned_WhenAutomationSteppedAsideForTheRequest(string reason) =>
        PlansNothing(new Case(AutomationStopped: reason), reason);

    [Theory]
    [InlineData(IntakeStatus.InConversation)]
    [InlineData(IntakeStatus.TimesOffered)]
    public void FollowUpsContinue_WhileTheRequestIsOpenInAnyOtherState(IntakeStatus status) =>
        Plans(new Case(RequestStatus: status), MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z");

    // ---- Caps ----

    [Fact]
    public void NothingIsPlanned_OnceThreeAutomatedFollowUpsWentOutForTheRequest() =>
        PlansNothing(
            new Case(
                Pace: Pace.CheckIn2Weeks,
                History: [Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z"), Sent(MessageKind.ClosingNote, "2026-06-22T14:00:00Z"), Sent(MessageKind.GentleCheckIn, "2026-07-06T14:00:00Z")],
                LastContactAt: At("2026-07-10T14:00:00Z"),
                Now: At("2026-07-10T14:00:00Z")),
            HoldReasons.HardCap);

    [Fact]
    public void AnotherRequestsFollowUps_CountNeitherForTheSequenceNorTheHardCap_ButForTheWeeklySpacing() =>
        Plans(
            new Case(History: [Sent(MessageKind.GentleCheckIn, "2026-06-07T14:00:00Z", OtherRequest), Sent(MessageKind.ClosingNote, "2026-06-08T13:00:00Z", OtherRequest)]),
            MessageKind.GentleCheckIn, "2026-06-15T13:00:00Z", TimingRules.WeeklySpacing);

    [Fact]
    public void APersonalMessageTwoDaysAgo_PushesTheCheckInToSevenDaysAfterIt() =>
        Plans(new Case(History: [Sent(MessageKind.Personal, "2026-06-06T15:00:00Z")]), MessageKind.GentleCheckIn, "2026-06-15T13:00:00Z");

    [Fact]
    public void TransactionalMessages_DoNotCountTowardTheWeeklySpacing() =>
        Plans(new Case(History: [Sent(MessageKind.Outcome, "2026-06-07T14:00:00Z", OtherRequest), Sent(MessageKind.Acknowledgement, "2026-06-07T15:00:00Z", OtherRequest)]),
            MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z");

    [Fact]
    public void AFailedMessage_DoesNotCountTowardTheWeeklySpacing() =>
        Plans(new Case(History: [new PastMessage(OtherRequest, MessageKind.GentleCheckIn, At("2026-06-07T14:00:00Z"), ReachedThem: false)]),
            MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z");

    // ---- Pause ----

    [Fact]
    public void APausePastTheDueTime_HoldsTheCheckInToTheNextWindowAfterItEnds() =>
        Plans(new Case(Status: ContactStatus.Paused, PausedUntil: At("2026-06-20T12:00:00Z")), MessageKind.GentleCheckIn, "2026-06-22T13:00:00Z", TimingRules.NextSendWindow);

    [Fact]
    public void APauseEndingInsideTheWindow_SendsAtItsEnd() =>
        Plans(new Case(Status: ContactStatus.Paused, PausedUntil: At("2026-06-10T16:00:00Z")), MessageKind.GentleCheckIn, "2026-06-10T16:00:00Z", TimingRules.PauseEnds);

    [Fact]
    public void APauseEndingBeforeTheDueTime_ChangesNothing() =>
        Plans(new Case(Status: ContactStatus.Paused, PausedUntil: At("2026-06-03T16:00:00Z")), MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z");

    [Fact]
    public void APauseWithoutAnEnd_HoldsEverything() =>
        PlansNothing(new Case(Status: ContactStatus.Paused), HoldReasons.PausedIndefinitely);

    // ---- Time ----

    [Fact]
    public void ADueTimeThatHasPassed_GoesInTheNextWindow() =>
        Plans(new Case(Now: At("2026-06-13T15:00:00Z")), MessageKind.GentleCheckIn, "2026-06-15T13:00:00Z", TimingRules.NextSendWindow);

    [Theory]
    [InlineData("America/New_York", "2026-06-08T20:00:00Z")] // 16:00 EDT
    [InlineData("Europe/London", "2026-06-09T08:00:00Z")]    // 21:00 BST → Tuesday 09:00 BST
    [InlineData("Asia/Tokyo", "2026-06-09T00:00:00Z")]       // Tuesday 05:00 JST → 09:00 JST
    public void QuietHours_AreTheRecipients(string zone, string expected) =>
        Plans(new Case(Zone: zone, LastContactAt: At("2026-06-01T20:00:00Z"), Now: At("2026-06-01T20:00:00Z")), MessageKind.GentleCheckIn, expected);

    [Fact]
    public void ACheckInDueInsideTheSpringForwardGap_LandsOnMondayMorningAfterTheChange() =>
        // Seven days after Sunday 2026-03-01 02:30 EST is the instant of 03:30 EDT on 2026-03-08; 02:30 that day never happens.
        Plans(new Case(LastContactAt: At("2026-03-01T07:30:00Z"), History: [], Now: At("2026-03-01T07:30:00Z")), MessageKind.GentleCheckIn, "2026-03-09T13:00:00Z");

    // ---- Practice settings: gentler, never pushier ----

    [Fact]
    public void PushySettings_AreIgnored() =>
        Plans(new Case(Settings: new PacingSettings(CheckInAfterDays: 2, ClosingNoteAfterDays: 4, WindowStart: new TimeOnly(6, 0), WindowEnd: new TimeOnly(23, 0))),
            MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z");

    [Fact]
    public void GentlerSettings_AreHonoured() =>
        Plans(new Case(Settings: new PacingSettings(CheckInAfterDays: 10, WindowStart: new TimeOnly(11, 0))), MessageKind.GentleCheckIn, "2026-06-11T15:00:00Z");

    [Fact]
    public void PacingSettingsDefault_IsSevenAndTwentyOneDaysFromNineToSeven() =>
        Assert.Equal(new PacingSettings(7, 21, new TimeOnly(9, 0), new TimeOnly(19, 0)), PacingSettings.Default.Gentler());

    [Theory]
    [InlineData(7, 21, 7, 21)]
    [InlineData(3, 40, 7, 40)]
    [InlineData(14, 15, 14, 21)]
    [InlineData(20, 21, 20, 27)]
    [InlineData(int.MaxValue, 21, int.MaxValue, int.MaxValue)]
    public void Gentler_KeepsClosingNoteAtLeastSevenDaysAfterCheckIn(int checkIn, int closing, int expectedCheckIn, int expectedClosing)
    {
        var gentle = new PacingSettings(checkIn, closing).Gentler();

        Assert.Equal(expectedCheckIn, gentle.CheckInAfterDays);
        Assert.Equal(expectedClosing, gentle.ClosingNoteAfterDays);
    }

    [Theory]
    [InlineData("06:00", "22:00", "09:00", "19:00")]
    [InlineData("10:00", "17:00", "10:00", "17:00")]
    [InlineData("12:00", "20:00", "12:00", "19:00")]
    [InlineData("18:00", "08:00", "09:00", "19:00")]
    [InlineData("12:00", "12:00", "09:00", "19:00")]
    [InlineData("10:00", "00:00", "10:00", "19:00")]
    public void Gentler_ClampsTheWindowToNineUntilSeven(string start, string end, string expectedStart, string expectedEnd)
    {
        var gentle = new PacingSettings(WindowStart: TimeOnly.Parse(start, CultureInfo.InvariantCulture), WindowEnd: TimeOnly.Parse(end, CultureInfo.InvariantCulture)).Gentler();

        Assert.Equal(TimeOnly.Parse(expectedStart, CultureInfo.InvariantCulture), gentle.WindowStart);
        Assert.Equal(TimeOnly.Parse(expectedEnd, CultureInfo.InvariantCulture), gentle.WindowEnd);
    }

    [Fact]
    public void Gentler_ReturnsTheSameSettings_WhenAppliedTwice()
    {
        var once = new PacingSettings(3, 5, new TimeOnly(8, 0), new TimeOnly(21, 0)).Gentler();

        Assert.Equal(once, once.Gentler());
    }
}
