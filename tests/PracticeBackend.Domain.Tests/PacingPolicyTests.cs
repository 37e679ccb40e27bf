using System.Globalization;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

public sealed class PacingPolicyTests
{
    private static readonly Guid ThisRequest = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    private static readonly Guid OtherRequest = Guid.Parse("0197a000-0000-7000-8000-000000000002");

    // Monday 2026-06-01 10:00 in New York (EDT, UTC-4): inside the send window.
    private static readonly DateTimeOffset Submitted = At("2026-06-01T14:00:00Z");

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static PastMessage Sent(MessageKind kind, string at, Guid? request = null) => new(request ?? ThisRequest, kind, At(at));

    private static PacingInput Input(Pace pace = Pace.Gentle) => new(
        pace,
        ContactStatus.Open,
        PausedUntil: null,
        IntakeStatus.Submitted,
        AutomationStopped: false,
        LastContactAt: Submitted,
        History: [new PastMessage(ThisRequest, MessageKind.Acknowledgement, Submitted)],
        ThisRequest,
        "America/New_York",
        PacingSettings.Default,
        Now: Submitted);

    private static PacingInput WithStop(PacingInput input, string reason) => reason switch
    {
        "stopped" => input with { ContactStatus = ContactStatus.Stopped },
        "bounced" => input with { ContactStatus = ContactStatus.Bounced },
        "closed" => input with { RequestStatus = IntakeStatus.Closed },
        "booked" => input with { RequestStatus = IntakeStatus.Booked },
        "automation-stopped" => input with { AutomationStopped = true },
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static TheoryData<string, Pace> StopConditionsForEveryPace()
    {
        var data = new TheoryData<string, Pace>();
        foreach (var reason in new[] { "stopped", "bounced", "closed", "booked", "automation-stopped" })
        {
            foreach (var pace in Enum.GetValues<Pace>())
            {
                data.Add(reason, pace);
            }
        }

        return data;
    }

    // ---- Message kinds ----

    [Theory]
    [InlineData(MessageKind.Acknowledgement, true, false, false, "acknowledgement")]
    [InlineData(MessageKind.GentleCheckIn, false, true, true, "gentle-check-in")]
    [InlineData(MessageKind.ClosingNote, false, true, true, "closing-note")]
    [InlineData(MessageKind.ScheduledCheckIn, false, true, true, "scheduled-check-in")]
    [InlineData(MessageKind.Outcome, true, false, false, "outcome")]
    [InlineData(MessageKind.Personal, false, false, true, "personal")]
    public void MessageKinds_ClassifyEachKind_ForTheCaps(MessageKind kind, bool transactional, bool automated, bool nonTransactional, string wire)
    {
        Assert.Equal(transactional, kind.IsTransactional());
        Assert.Equal(automated, kind.IsAutomatedFollowUp());
        Assert.Equal(nonTransactional, kind.IsNonTransactional());
        Assert.Equal(wire, kind.ToWire());
    }

    [Fact]
    public void MessageKinds_PutEveryKindOnExactlyOneSideOfTheWeeklyCap() =>
        Assert.All(Enum.GetValues<MessageKind>(), kind => Assert.NotEqual(kind.IsTransactional(), kind.IsNonTransactional()));

    // ---- Paces ----

    [Fact]
    public void NextFollowUp_PlansGentleCheckIn_SevenDaysAfterLastContact() =>
        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z")), PacingPolicy.NextFollowUp(Input()));

    [Fact]
    public void NextFollowUp_PlansClosingNoteTwentyOneDaysAfterLastContact_WhenCheckInWasSent()
    {
        var input = Input() with
        {
            History = [Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z"), Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z")],
            Now = At("2026-06-08T14:05:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.ClosingNote, At("2026-06-22T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_PlansNothing_WhenGentleCheckInAndClosingNoteWereSent()
    {
        var input = Input() with
        {
            History = [Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z"), Sent(MessageKind.ClosingNote, "2026-06-22T14:00:00Z")],
            Now = At("2026-07-01T14:00:00Z"),
        };

        Assert.Equal(new PlanNothing("sequence-complete"), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_PlansNothing_WhenClosingNoteWentOutWithoutACheckIn()
    {
        var input = Input() with { History = [Sent(MessageKind.ClosingNote, "2026-06-22T14:00:00Z")], Now = At("2026-07-01T14:00:00Z") };

        Assert.Equal(new PlanNothing("sequence-complete"), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_PlansNothing_WhenPersonWillReachOutWhenReady() =>
        Assert.Equal(new PlanNothing("person-will-reach-out"), PacingPolicy.NextFollowUp(Input(Pace.WhenReady)));

    [Fact]
    public void NextFollowUp_PlansNothing_WhenReadyEvenLongAfterLastContact() =>
        Assert.Equal(
            new PlanNothing("person-will-reach-out"),
            PacingPolicy.NextFollowUp(Input(Pace.WhenReady) with { Now = At("2027-06-01T14:00:00Z") }));

    [Theory]
    [InlineData(Pace.CheckIn2Weeks, "2026-06-15T14:00:00Z")]
    [InlineData(Pace.CheckIn1Month, "2026-07-01T14:00:00Z")]
    [InlineData(Pace.CheckIn3Months, "2026-08-31T13:00:00Z")] // 90 days is Sunday 2026-08-30 → Monday 09:00 EDT
    public void NextFollowUp_PlansOneScheduledCheckIn_OnTheChosenDate(Pace pace, string expected) =>
        Assert.Equal(new PlanMessage(MessageKind.ScheduledCheckIn, At(expected)), PacingPolicy.NextFollowUp(Input(pace)));

    [Theory]
    [InlineData(Pace.CheckIn2Weeks)]
    [InlineData(Pace.CheckIn1Month)]
    [InlineData(Pace.CheckIn3Months)]
    public void NextFollowUp_PlansNothing_WhenScheduledCheckInWasSent(Pace pace)
    {
        var input = Input(pace) with { History = [Sent(MessageKind.ScheduledCheckIn, "2026-06-15T14:00:00Z")], Now = At("2026-12-01T14:00:00Z") };

        Assert.Equal(new PlanNothing("sequence-complete"), PacingPolicy.NextFollowUp(input));
    }

    // ---- Stop conditions ----

    [Theory]
    [MemberData(nameof(StopConditionsForEveryPace))]
    public void NextFollowUp_PlansNothing_WhenAStopConditionHolds(string reason, Pace pace) =>
        Assert.Equal(new PlanNothing(reason), PacingPolicy.NextFollowUp(WithStop(Input(pace), reason)));

    [Fact]
    public void NextFollowUp_ReportsContactStopFirst_WhenRequestIsAlsoBookedAndAutomationStopped()
    {
        var input = Input() with { ContactStatus = ContactStatus.Stopped, RequestStatus = IntakeStatus.Booked, AutomationStopped = true };

        Assert.Equal(new PlanNothing("stopped"), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_ReportsBounce_EvenWhilePausedUntilALaterDate()
    {
        var input = Input() with { ContactStatus = ContactStatus.Bounced, PausedUntil = At("2026-07-01T00:00:00Z") };

        Assert.Equal(new PlanNothing("bounced"), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_ReportsClosedBeforeAutomationStopped_WhenBothHold()
    {
        var input = Input() with { RequestStatus = IntakeStatus.Closed, AutomationStopped = true };

        Assert.Equal(new PlanNothing("closed"), PacingPolicy.NextFollowUp(input));
    }

    [Theory]
    [InlineData(IntakeStatus.InConversation)]
    [InlineData(IntakeStatus.TimesOffered)]
    public void NextFollowUp_KeepsPlanning_WhileRequestIsOpenInAnyOtherState(IntakeStatus status) =>
        Assert.Equal(
            new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z")),
            PacingPolicy.NextFollowUp(Input() with { RequestStatus = status }));

    // ---- Hard cap of 3 automated follow-ups per request ----

    [Theory]
    [InlineData(Pace.WhenReady)]
    [InlineData(Pace.Gentle)]
    [InlineData(Pace.CheckIn2Weeks)]
    [InlineData(Pace.CheckIn1Month)]
    [InlineData(Pace.CheckIn3Months)]
    public void NextFollowUp_PlansNothing_WhenThreeAutomatedFollowUpsWentOutForThisRequest(Pace pace)
    {
        // The pace changed along the way, so the sequence alone would still allow a closing note.
        var input = Input(pace) with
        {
            History =
            [
                Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z"),
                Sent(MessageKind.ScheduledCheckIn, "2026-06-22T14:00:00Z"),
                Sent(MessageKind.ScheduledCheckIn, "2026-07-06T14:00:00Z"),
            ],
            Now = At("2026-08-03T14:00:00Z"),
        };

        Assert.Equal(new PlanNothing("hard-cap"), PacingPolicy.NextFollowUp(input));
        Assert.Equal(3, PacingPolicy.HardCapPerRequest);
    }

    [Fact]
    public void NextFollowUp_KeepsPlanning_WhenOnlyTwoOfThisRequestsMessagesAreAutomated()
    {
        var input = Input() with
        {
            History =
            [
                Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z"),
                Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z"),
                Sent(MessageKind.ScheduledCheckIn, "2026-06-09T14:00:00Z"),
                Sent(MessageKind.Personal, "2026-06-10T14:00:00Z"),
                Sent(MessageKind.Outcome, "2026-06-11T14:00:00Z"),
            ],
            Now = At("2026-06-11T14:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.ClosingNote, At("2026-06-22T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    // ---- Another request of the same person ----

    [Fact]
    public void NextFollowUp_IgnoresAnotherRequestsFollowUps_ForThisRequestsHardCapAndSequence()
    {
        var input = Input() with
        {
            History =
            [
                Sent(MessageKind.GentleCheckIn, "2026-04-06T14:00:00Z", OtherRequest),
                Sent(MessageKind.ClosingNote, "2026-04-20T14:00:00Z", OtherRequest),
                Sent(MessageKind.ScheduledCheckIn, "2026-05-04T14:00:00Z", OtherRequest),
                Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z"),
            ],
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_WaitsSevenDaysAfterAnotherRequestsCheckIn_ForTheWeeklyCap()
    {
        var input = Input() with { History = [Sent(MessageKind.GentleCheckIn, "2026-06-04T15:00:00Z", OtherRequest)] };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-11T15:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    // ---- One non-transactional message per person per 7 days ----

    [Fact]
    public void NextFollowUp_PushesCheckInToSevenDaysAfterAPersonalMessage_WhenOneWentOutTwoDaysAgo()
    {
        var input = Input() with
        {
            History = [Sent(MessageKind.Personal, "2026-06-08T16:00:00Z", OtherRequest)],
            Now = At("2026-06-10T16:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-15T16:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_IgnoresTransactionalMessages_ForTheWeeklyCap()
    {
        var input = Input() with
        {
            History =
            [
                Sent(MessageKind.Acknowledgement, "2026-06-07T14:00:00Z"),
                Sent(MessageKind.Outcome, "2026-06-08T13:00:00Z", OtherRequest),
            ],
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_SpacesClosingNoteSevenDaysAfterALateCheckIn()
    {
        var input = Input() with
        {
            History = [Sent(MessageKind.GentleCheckIn, "2026-06-19T14:00:00Z")],
            Now = At("2026-06-19T14:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.ClosingNote, At("2026-06-26T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_UsesTheLatestNonTransactionalMessage_ForTheWeeklyCap()
    {
        var input = Input() with
        {
            History =
            [
                Sent(MessageKind.Personal, "2026-06-03T14:00:00Z", OtherRequest),
                Sent(MessageKind.ScheduledCheckIn, "2026-06-05T14:00:00Z", OtherRequest),
                Sent(MessageKind.Personal, "2026-06-02T14:00:00Z", OtherRequest),
            ],
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-12T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    // ---- Pause ----

    [Fact]
    public void NextFollowUp_DefersToThePauseEndsNextWindow_WhenPausedPastTheDueTime()
    {
        // Paused until Saturday 2026-06-13 → Monday 09:00 EDT.
        var input = Input() with { ContactStatus = ContactStatus.Paused, PausedUntil = At("2026-06-13T12:00:00Z") };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-15T13:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_SendsAtThePauseEnd_WhenItFallsInsideTheWindow()
    {
        var input = Input() with { ContactStatus = ContactStatus.Paused, PausedUntil = At("2026-06-10T15:30:00Z") };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-10T15:30:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_KeepsTheDueTime_WhenPauseEndsBeforeIt()
    {
        var input = Input() with { ContactStatus = ContactStatus.Paused, PausedUntil = At("2026-06-05T12:00:00Z") };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_IgnoresAPauseThatEnded_WhenItIsInThePast()
    {
        var input = Input() with
        {
            ContactStatus = ContactStatus.Paused,
            PausedUntil = At("2026-06-09T12:00:00Z"),
            Now = At("2026-06-10T14:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-10T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_PlansNothing_WhenPausedWithoutAnEndDate()
    {
        var input = Input() with { ContactStatus = ContactStatus.Paused, PausedUntil = null };

        Assert.Equal(new PlanNothing("paused-indefinitely"), PacingPolicy.NextFollowUp(input));
    }

    // ---- A personal message from the therapist resets the clock ----

    [Fact]
    public void NextFollowUp_MovesCheckInLater_WhenLastContactIsLater()
    {
        var input = Input() with
        {
            LastContactAt = At("2026-06-04T14:00:00Z"),
            History = [Sent(MessageKind.Acknowledgement, "2026-06-01T14:00:00Z")],
            Now = At("2026-06-04T14:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-11T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_PlansClosingNoteFromThePersonalMessage_WhenTherapistWroteAfterTheCheckIn()
    {
        var input = Input() with
        {
            LastContactAt = At("2026-06-10T14:00:00Z"),
            History = [Sent(MessageKind.GentleCheckIn, "2026-06-08T14:00:00Z"), Sent(MessageKind.Personal, "2026-06-10T14:00:00Z")],
            Now = At("2026-06-10T14:00:00Z"),
        };

        Assert.Equal(new PlanMessage(MessageKind.ClosingNote, At("2026-07-01T14:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    // ---- When it goes out ----

    [Fact]
    public void NextFollowUp_PlansForTheNextWindow_WhenTheDueTimeHasPassed()
    {
        // Now is Monday 20:30 EDT, after the window → Tuesday 09:00 EDT.
        var input = Input() with { Now = At("2026-06-09T00:30:00Z") };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-09T13:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Theory]
    [InlineData("America/New_York", "2026-06-08T20:00:00Z")] // 16:00 EDT
    [InlineData("Europe/London", "2026-06-09T08:00:00Z")]    // 21:00 BST → Tuesday 09:00 BST
    [InlineData("Asia/Tokyo", "2026-06-09T00:00:00Z")]       // Tuesday 05:00 JST → 09:00 JST
    public void NextFollowUp_KeepsQuietHoursInTheRecipientsZone(string zone, string expected)
    {
        var input = Input() with { LastContactAt = At("2026-06-01T20:00:00Z"), RecipientTimeZone = zone };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At(expected)), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_ReturnsUtc_WhenInputsCarryOffsets()
    {
        var input = Input() with { LastContactAt = At("2026-06-01T10:00:00-04:00"), Now = At("2026-06-01T10:00:00-04:00") };

        var plan = Assert.IsType<PlanMessage>(PacingPolicy.NextFollowUp(input));

        Assert.Equal(TimeSpan.Zero, plan.EarliestAt.Offset);
        Assert.Equal(At("2026-06-08T14:00:00Z"), plan.EarliestAt);
    }

    [Fact]
    public void NextFollowUp_Throws_WhenTimeZoneIsUnknown() =>
        Assert.Throws<ArgumentException>(() => PacingPolicy.NextFollowUp(Input() with { RecipientTimeZone = "Mars/Olympus_Mons" }));

    // ---- Practice settings: gentler, never pushier ----

    [Fact]
    public void NextFollowUp_IgnoresPushySettings_WhenPracticeAsksForSoonerAndLater()
    {
        // Last contact Monday 07:00 EDT; a 3-day check-in and a 06:00–22:00 window are clamped to 7 days and 09:00–19:00.
        var input = Input() with
        {
            LastContactAt = At("2026-06-01T11:00:00Z"),
            Settings = new PacingSettings(3, 5, new TimeOnly(6, 0), new TimeOnly(22, 0)),
        };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-08T13:00:00Z")), PacingPolicy.NextFollowUp(input));
    }

    [Fact]
    public void NextFollowUp_HonoursGentlerSettings_WhenPracticeWaitsLonger()
    {
        var settings = new PacingSettings(10, 30, new TimeOnly(10, 0), new TimeOnly(16, 0));
        var checkIn = Input() with { Settings = settings };
        var closing = checkIn with { History = [Sent(MessageKind.GentleCheckIn, "2026-06-11T14:00:00Z")], Now = At("2026-06-11T14:00:00Z") };

        Assert.Equal(new PlanMessage(MessageKind.GentleCheckIn, At("2026-06-11T14:00:00Z")), PacingPolicy.NextFollowUp(checkIn));
        Assert.Equal(new PlanMessage(MessageKind.ClosingNote, At("2026-07-01T14:00:00Z")), PacingPolicy.NextFollowUp(closing));
    }

    [Fact]
    public void PacingSettingsDefault_IsSevenAndTwentyOneDaysFromNineToSeven()
    {
        Assert.Equal(new PacingSettings(7, 21, new TimeOnly(9, 0), new TimeOnly(19, 0)), PacingSettings.Default);
        Assert.Equal(PacingSettings.Default, new PacingSettings());
        Assert.Equal(PacingSettings.Default, PacingSettings.Default.Gentler());
    }

    [Fact]
    public void Gentler_RaisesDaysToTheMinimum_WhenPracticeAsksForThreeDays()
    {
        var settings = new PacingSettings(CheckInAfterDays: 3, ClosingNoteAfterDays: 3).Gentler();

        Assert.Equal(7, settings.CheckInAfterDays);
        Assert.Equal(21, settings.ClosingNoteAfterDays);
    }

    [Theory]
    [InlineData(7, 21, 7, 21)]
    [InlineData(14, 15, 14, 21)]
    [InlineData(20, 21, 20, 27)]
    [InlineData(30, 60, 30, 60)]
    [InlineData(3, 40, 7, 40)]
    [InlineData(int.MaxValue, 21, int.MaxValue, int.MaxValue)]
    public void Gentler_KeepsClosingNoteAtLeastSevenDaysAfterCheckIn(int checkIn, int closing, int expectedCheckIn, int expectedClosing)
    {
        var settings = new PacingSettings(checkIn, closing).Gentler();

        Assert.Equal(expectedCheckIn, settings.CheckInAfterDays);
        Assert.Equal(expectedClosing, settings.ClosingNoteAfterDays);
    }

    [Theory]
    [InlineData("06:00", "22:00", "09:00", "19:00")]
    [InlineData("10:00", "17:00", "10:00", "17:00")]
    [InlineData("08:00", "12:00", "09:00", "12:00")]
    [InlineData("12:00", "20:00", "12:00", "19:00")]
    [InlineData("18:00", "08:00", "09:00", "19:00")]
    [InlineData("20:00", "22:00", "09:00", "19:00")]
    [InlineData("12:00", "12:00", "09:00", "19:00")]
    [InlineData("10:00", "00:00", "10:00", "19:00")]
    public void Gentler_ClampsTheWindowToNineUntilSeven(string start, string end, string expectedStart, string expectedEnd)
    {
        var settings = new PacingSettings(WindowStart: Time(start), WindowEnd: Time(end)).Gentler();

        Assert.Equal(Time(expectedStart), settings.WindowStart);
        Assert.Equal(Time(expectedEnd), settings.WindowEnd);
    }

    [Fact]
    public void Gentler_KeepsTheWindow_WhenOnlyItsStartIsGiven()
    {
        var settings = new PacingSettings(WindowStart: new TimeOnly(11, 0));

        Assert.Equal(new TimeOnly(19, 0), settings.WindowEnd);
        Assert.Equal(settings, settings.Gentler());
    }

    [Fact]
    public void Gentler_ReturnsTheSameSettings_WhenAppliedTwice()
    {
        var once = new PacingSettings(2, 9, new TimeOnly(7, 30), new TimeOnly(23, 0)).Gentler();

        Assert.Equal(once, once.Gentler());
    }

    private static TimeOnly Time(string value) => TimeOnly.Parse(value, CultureInfo.InvariantCulture);
}
