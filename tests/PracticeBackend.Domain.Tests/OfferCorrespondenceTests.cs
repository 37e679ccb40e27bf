using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// An offer of times, as the person's correspondence sees it: one message with one link, each outcome told
/// once by its row of the message table, and automated follow-ups over for good once people are talking.
/// </summary>
public sealed class OfferCorrespondenceTests
{
    // A Wednesday at 15:00 in London: inside the send window.
    private static readonly DateTimeOffset Now = new(2027, 3, 10, 15, 0, 0, TimeSpan.Zero);
    private static readonly Guid RequestId = Guid.NewGuid();
    private static readonly Guid OfferId = Guid.NewGuid();

    [Fact]
    public void AnOffer_IsOneMessageInTheWindow_AndEndsTheCheckIns()
    {
        var person = Submitted(Pace.Gentle);

        Assert.Equal(StaffChange.Done, person.OfferTimes(RequestId, OfferId, Now));
        Assert.Equal(StaffChange.Done, person.OfferTimes(RequestId, OfferId, Now.AddMinutes(1)));

        var offer = Assert.Single(person.Messages, m => m.Kind == MessageKind.OfferOfTimes);
        Assert.Equal(OfferId, offer.SubjectId);
        Assert.Equal(TimingRules.InSendWindow, offer.DueRule);
        Assert.Equal(IntakeStatus.TimesOffered, person.Request(RequestId)!.Status);
        Assert.DoesNotContain(person.Messages, m => m.IsPlanned && m.Kind.IsAutomatedFollowUp());
    }

    [Fact]
    public void NoOffer_GoesToSomeoneWhoSaidStop_OrForAClosedRequest()
    {
        var stopped = Submitted(Pace.Gentle);
        stopped.Stop(Now);
        Assert.Equal(StaffChange.NotAllowedInThisState, stopped.OfferTimes(RequestId, OfferId, Now));

        var closed = Submitted(Pace.Gentle);
        closed.NotNow(Now);
        Assert.Equal(StaffChange.NotAllowedInThisState, closed.OfferTimes(RequestId, OfferId, Now));
    }

    [Fact]
    public void APick_BooksTheRequest_ConfirmsAtOnce_AndTellsTheTherapist_Once()
    {
        var person = Offered();

        person.OfferSettled(RequestId, OfferId, OfferStatus.Picked, Now.AddHours(5));
        person.OfferSettled(RequestId, OfferId, OfferStatus.Picked, Now.AddHours(6));

        var confirmation = Assert.Single(person.Messages, m => m.Kind == MessageKind.BookingConfirmed);
        Assert.Equal(Now.AddHours(5), confirmation.DueAt);
        Assert.Single(person.Messages, m => m.Kind == MessageKind.TherapistOfferAnswer);
        Assert.Equal(IntakeStatus.Booked, person.Request(RequestId)!.Status);
    }

    [Fact]
    public void AConfirmationOfTheirOwnPick_GoesEvenAfterAStop_AsTheTableSays()
    {
        var person = Offered();
        person.Stop(Now.AddHours(1));

        person.OfferSettled(RequestId, OfferId, OfferStatus.Picked, Now.AddHours(2));

        Assert.True(Assert.Single(person.Messages, m => m.Kind == MessageKind.BookingConfirmed).IsPlanned);
    }

    [Fact]
    public void NoneWork_PutsTheRequestBackWithTheTherapist_AndNotNow_ClosesIt()
    {
        var noneWork = Offered();
        noneWork.OfferSettled(RequestId, OfferId, OfferStatus.NoneWork, Now.AddHours(1));
        Assert.Equal(IntakeStatus.InConversation, noneWork.Request(RequestId)!.Status);
        Assert.Single(noneWork.Messages, m => m.Kind == MessageKind.OtherTimesAsked);
        Assert.Single(noneWork.Messages, m => m.Kind == MessageKind.TherapistOfferAnswer);

        var notNow = Offered();
        notNow.OfferSettled(RequestId, OfferId, OfferStatus.NotNow, Now.AddHours(1));
        Assert.Equal(IntakeStatus.Closed, notNow.Request(RequestId)!.Status);
        Assert.Single(notNow.Messages, m => m.Kind == MessageKind.ClosedAtTheirRequest);
        Assert.DoesNotContain(notNow.Messages, m => m.Kind == MessageKind.TherapistOfferAnswer);
    }

    [Fact]
    public void ALapse_SendsOneQuietNoteInTheWindow_ButNothingIfTheOfferNeverReachedThem()
    {
        var seen = Offered();
        Sent(seen, MessageKind.OfferOfTimes, Now.AddMinutes(1));
        seen.OfferSettled(RequestId, OfferId, OfferStatus.Lapsed, Now.AddHours(72).AddHours(8));
        var note = Assert.Single(seen.Messages, m => m.Kind == MessageKind.ReleasedHold);
        Assert.Equal(TimingRules.NextSendWindow, note.DueRule);
        Assert.Equal(IntakeStatus.InConversation, seen.Request(RequestId)!.Status);

        var unseen = Offered();
        unseen.Pause(Now.AddDays(30), Now);
        unseen.OfferSettled(RequestId, OfferId, OfferStatus.Lapsed, Now.AddHours(72));
        Assert.DoesNotContain(unseen.Messages, m => m.Kind == MessageKind.ReleasedHold);
        Assert.Equal(HoldReasons.OfferLapsed, Assert.Single(unseen.Messages, m => m.Kind == MessageKind.OfferOfTimes).StatusReason);
    }

    [Fact]
    public void NothingAboutAnOffer_GoesOnceTheRequestHasClosed()
    {
        var person = Offered();
        Sent(person, MessageKind.OfferOfTimes, Now.AddMinutes(1));
        person.NotNow(Now.AddHours(1));

        person.OfferSettled(RequestId, OfferId, OfferStatus.Lapsed, Now.AddHours(72));
        person.OfferSettled(RequestId, OfferId, OfferStatus.NotNow, Now.AddHours(73));

        Assert.Equal(HoldReasons.Closed, Assert.Single(person.Messages, m => m.Kind == MessageKind.ReleasedHold).StatusReason);
        Assert.Single(person.Messages, m => m.Kind == MessageKind.ClosedAtTheirRequest);
    }

    [Fact]
    public void ReleasedHoldNote_NeverGoesAfterAStop()
    {
        var person = Offered();
        Sent(person, MessageKind.OfferOfTimes, Now.AddMinutes(1));
        person.Stop(Now.AddHours(2));

        person.OfferSettled(RequestId, OfferId, OfferStatus.Lapsed, Now.AddHours(72));

        Assert.Equal(MessageStatus.Cancelled, Assert.Single(person.Messages, m => m.Kind == MessageKind.ReleasedHold).Status);
    }

    private static Correspondence Submitted(Pace pace)
    {
        var person = new Correspondence(Contact.New(pace, "Europe/London"), [], [], PacingSettings.Default);
        person.Submit(RequestId, pace, "Europe/London", needsAHuman: false, Now.AddDays(-1));
        Sent(person, MessageKind.Acknowledgement, Now.AddDays(-1));
        return person;
    }

    private static Correspondence Offered()
    {
        var person = Submitted(Pace.Gentle);
        person.Assign(RequestId);
        person.OfferTimes(RequestId, OfferId, Now);
        return person;
    }

    private static void Sent(Correspondence person, MessageKind kind, DateTimeOffset at)
    {
        var message = person.Messages.Single(m => m.Kind == kind && m.IsPlanned);
        Assert.IsType<Claim.Send>(person.ClaimToSend(message.Id, at));
        person.RecordOutcome(message.Id, new SendResult.Sent(), at);
    }
}
