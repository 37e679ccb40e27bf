using NodaTime;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Domain.Tests;

/// <summary>A therapist's calendar keeps active appointments and held times a buffer apart; only a cancellation, an answer or a lapse frees a time.</summary>
public sealed class CalendarTests
{
    private static readonly Instant Nine = Instant.FromUtc(2027, 3, 15, 14, 0);
    private static readonly Duration Session = Duration.FromMinutes(50);
    private static readonly Instant Now = Nine - Duration.FromDays(5);

    [Fact]
    public void ABooking_RefusesAnotherOverItOrInsideItsBuffer_ButNotOneThatOnlyTouchesTheBuffer()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine), Now));

        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine), Now));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine + Duration.FromMinutes(55)), Now));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine - Duration.FromMinutes(55)), Now));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine + Duration.FromMinutes(60)), Now));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine - Duration.FromMinutes(60)), Now));
    }

    [Fact]
    public void ACancellation_FreesTheTime_AndIsNotUndone()
    {
        var first = At(Nine);
        var calendar = new Calendar([first], Duration.FromMinutes(10));

        Assert.Equal(CalendarChange.Done, calendar.Cancel(first.Id));
        Assert.Equal(CalendarChange.Done, calendar.Cancel(first.Id));
        Assert.Equal(CalendarChange.NotInThisState, calendar.Complete(first.Id, Nine + Duration.FromHours(1)));
        Assert.Equal(CalendarChange.NotInThisState, calendar.Reschedule(first.Id, Nine + Duration.FromHours(2), Now));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine), Now));
    }

    [Fact]
    public void ARescheduleIsOneMove_CheckedAgainstEverythingButItself()
    {
        var first = At(Nine);
        var second = At(Nine + Duration.FromHours(2));
        var calendar = new Calendar([first, second], Duration.FromMinutes(10));

        Assert.Equal(CalendarChange.Done, calendar.Reschedule(first.Id, Nine + Duration.FromMinutes(30), Now));
        Assert.Equal(CalendarChange.Taken, calendar.Reschedule(first.Id, Nine + Duration.FromMinutes(100), Now));
        Assert.Equal(Nine + Duration.FromMinutes(30), calendar.Find(first.Id)!.Start);
        Assert.Equal(Session, calendar.Find(first.Id)!.End - calendar.Find(first.Id)!.Start);
        Assert.Equal(CalendarChange.NotFound, calendar.Reschedule(Guid.NewGuid(), Nine, Now));
    }

    [Fact]
    public void ASessionIsMissedOnlyOnceItHasBegun_AndStillHoldsItsTime()
    {
        var first = At(Nine);
        var calendar = new Calendar([first], Duration.Zero);

        Assert.Equal(CalendarChange.NotInThisState, calendar.NoShow(first.Id, Nine - Duration.FromHours(1)));
        Assert.Equal(CalendarChange.Done, calendar.NoShow(first.Id, Nine + Duration.FromMinutes(15)));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine), Now));
        Assert.Single(calendar.Busy(Now));
    }

    [Fact]
    public void AnOffer_HoldsItsTimesForEveryoneElse_UntilItLapses_AndAHoldDoesNotCountTowardTheCap()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        var offer = OfferOf(Nine, Nine + Duration.FromDays(1));
        Assert.Equal(CalendarChange.Done, calendar.MakeOffer(offer, Now));

        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine + Duration.FromMinutes(55)), Now));
        Assert.Equal(CalendarChange.Taken, calendar.MakeOffer(OfferOf(Nine + Duration.FromDays(1)), Now));
        Assert.Equal(CalendarChange.NotInThisState, calendar.MakeOffer(offer with { Id = Guid.NewGuid(), Starts = [Nine + Duration.FromDays(2)] }, Now));
        Assert.All(calendar.Busy(Now), busy => Assert.False(busy.Booked));

        var afterLapse = offer.LapsesAt;
        Assert.Empty(calendar.Busy(afterLapse));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine), afterLapse));
        Assert.Equal([offer.Id], calendar.Lapse(afterLapse).Select(o => o.Id));
        Assert.Empty(calendar.Lapse(afterLapse));
    }

    [Fact]
    public void PickingAnOfferedTime_BooksIt_ReleasesTheOthers_AndAnswersARepeatAsTheFirstTime()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        var offer = OfferOf(Nine, Nine + Duration.FromDays(1));
        calendar.MakeOffer(offer, Now);
        var appointmentId = Guid.NewGuid();

        Assert.Equal(OfferAnswer.Taken, calendar.Pick(offer.Id, Nine + Duration.FromHours(3), appointmentId, Now).Answer);
        var (answer, booked) = calendar.Pick(offer.Id, Nine + Duration.FromDays(1), appointmentId, Now);

        Assert.Equal(OfferAnswer.Done, answer);
        Assert.Equal(Nine + Duration.FromDays(1), booked!.Start);
        Assert.Equal(offer.ClientId, booked.ClientId);
        Assert.Equal(booked, calendar.Pick(offer.Id, Nine + Duration.FromDays(1), Guid.NewGuid(), Now).Appointment);
        Assert.Equal(OfferAnswer.AnsweredAlready, calendar.Pick(offer.Id, Nine, Guid.NewGuid(), Now).Answer);
        Assert.Equal(OfferAnswer.AnsweredAlready, calendar.Decline(offer.Id, OfferStatus.NotNow, [], Now));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine), Now));
        Assert.Single(calendar.Busy(Now), busy => busy.Start == Nine + Duration.FromDays(1));
    }

    [Fact]
    public void APickAfterTheLapse_OrOfATimeBookedMeanwhile_IsRefusedCalmly_ButAskingForOtherTimesStillWorks()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        var offer = OfferOf(Nine);
        calendar.MakeOffer(offer, Now);

        Assert.Equal(OfferAnswer.Lapsed, calendar.Pick(offer.Id, Nine, Guid.NewGuid(), offer.LapsesAt).Answer);
        Assert.Equal(OfferAnswer.Lapsed, calendar.Decline(offer.Id, OfferStatus.NotNow, [], offer.LapsesAt));
        Assert.Equal(OfferAnswer.Done, calendar.Decline(offer.Id, OfferStatus.NoneWork, ["tuesday-evening"], offer.LapsesAt));
        Assert.Equal(OfferAnswer.NotFound, calendar.Pick(Guid.NewGuid(), Nine, Guid.NewGuid(), Now).Answer);

        // A time that came while the hold lasted is not one to pick.
        var soon = OfferOf(Now + Duration.FromHours(2), Now + Duration.FromHours(30));
        calendar.MakeOffer(soon, Now);
        Assert.Equal(OfferAnswer.Taken, calendar.Pick(soon.Id, Now + Duration.FromHours(2), Guid.NewGuid(), Now + Duration.FromHours(3)).Answer);
        Assert.Equal(OfferAnswer.Done, calendar.Pick(soon.Id, Now + Duration.FromHours(30), Guid.NewGuid(), Now + Duration.FromHours(3)).Answer);

        // A hidden writer's booking (another activation, seen on reload) takes the time from under the hold.
        var crowded = new Calendar([At(Nine + Duration.FromMinutes(30))], [offer], Duration.FromMinutes(10));
        Assert.Equal(OfferAnswer.Taken, crowded.Pick(offer.Id, Nine, Guid.NewGuid(), Now).Answer);
    }

    [Fact]
    public void NoneOfTheseWork_KeepsTheUsualTimes_AndReleasesTheHolds()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        var offer = OfferOf(Nine);
        calendar.MakeOffer(offer, Now);

        Assert.Equal(OfferAnswer.Done, calendar.Decline(offer.Id, OfferStatus.NoneWork, ["monday-morning", "monday-morning", "friday-evening"], Now));
        Assert.Equal(OfferAnswer.Done, calendar.Decline(offer.Id, OfferStatus.NoneWork, [], Now));

        Assert.Equal(["monday-morning", "friday-evening"], calendar.FindOffer(offer.Id)!.Usually);
        Assert.Empty(calendar.Busy(Now));
        Assert.Equal(OfferAnswer.AnsweredAlready, calendar.Decline(offer.Id, OfferStatus.NotNow, [], Now));
        Assert.Equal(15, UsualTimes.All.Count);
    }

    private static Offer OfferOf(params Instant[] starts) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), SessionFormat.Video, starts, Session, Now + Duration.FromHours(72));

    private static Appointment At(Instant start) =>
        new(Guid.NewGuid(), Guid.NewGuid(), start, start + Session, SessionFormat.Video, AppointmentStatus.Confirmed);
}
