using NodaTime;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Domain.Tests;

/// <summary>A therapist's calendar keeps active appointments a buffer apart; only a cancellation frees a time.</summary>
public sealed class CalendarTests
{
    private static readonly Instant Nine = Instant.FromUtc(2027, 3, 15, 14, 0);
    private static readonly Duration Session = Duration.FromMinutes(50);

    [Fact]
    public void ABooking_RefusesAnotherOverItOrInsideItsBuffer_ButNotOneThatOnlyTouchesTheBuffer()
    {
        var calendar = new Calendar([], Duration.FromMinutes(10));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine)));

        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine)));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine + Duration.FromMinutes(55))));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine - Duration.FromMinutes(55))));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine + Duration.FromMinutes(60))));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine - Duration.FromMinutes(60))));
    }

    [Fact]
    public void ACancellation_FreesTheTime_AndIsNotUndone()
    {
        var first = At(Nine);
        var calendar = new Calendar([first], Duration.FromMinutes(10));

        Assert.Equal(CalendarChange.Done, calendar.Cancel(first.Id));
        Assert.Equal(CalendarChange.Done, calendar.Cancel(first.Id));
        Assert.Equal(CalendarChange.NotInThisState, calendar.Complete(first.Id, Nine + Duration.FromHours(1)));
        Assert.Equal(CalendarChange.NotInThisState, calendar.Reschedule(first.Id, Nine + Duration.FromHours(2)));
        Assert.Equal(CalendarChange.Done, calendar.Book(At(Nine)));
    }

    [Fact]
    public void ARescheduleIsOneMove_CheckedAgainstEverythingButItself()
    {
        var first = At(Nine);
        var second = At(Nine + Duration.FromHours(2));
        var calendar = new Calendar([first, second], Duration.FromMinutes(10));

        Assert.Equal(CalendarChange.Done, calendar.Reschedule(first.Id, Nine + Duration.FromMinutes(30)));
        Assert.Equal(CalendarChange.Taken, calendar.Reschedule(first.Id, Nine + Duration.FromMinutes(100)));
        Assert.Equal(Nine + Duration.FromMinutes(30), calendar.Find(first.Id)!.Start);
        Assert.Equal(Session, calendar.Find(first.Id)!.End - calendar.Find(first.Id)!.Start);
        Assert.Equal(CalendarChange.NotFound, calendar.Reschedule(Guid.NewGuid(), Nine));
    }

    [Fact]
    public void ASessionIsMissedOnlyOnceItHasBegun_AndStillHoldsItsTime()
    {
        var first = At(Nine);
        var calendar = new Calendar([first], Duration.Zero);

        Assert.Equal(CalendarChange.NotInThisState, calendar.NoShow(first.Id, Nine - Duration.FromHours(1)));
        Assert.Equal(CalendarChange.Done, calendar.NoShow(first.Id, Nine + Duration.FromMinutes(15)));
        Assert.Equal(CalendarChange.Taken, calendar.Book(At(Nine)));
        Assert.Single(calendar.Busy());
    }

    private static Appointment At(Instant start) =>
        new(Guid.NewGuid(), Guid.NewGuid(), start, start + Session, SessionFormat.Video, AppointmentStatus.Confirmed);
}
