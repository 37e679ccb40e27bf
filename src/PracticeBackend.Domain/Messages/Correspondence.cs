using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Messages;

/// <summary>What became of a submission.</summary>
public enum Submission
{
    /// <summary>Contact was open: the request is acknowledged and the person's newest details stand.</summary>
    Welcomed = 1,

    /// <summary>The address belongs to someone who said stop (or paused, or bounced): stored, and its owner is asked to confirm.</summary>
    AwaitingAddressConfirmation = 2,
}

/// <summary>The outcome of a staff change to a request's correspondence.</summary>
public enum StaffChange
{
    Done = 1,
    NotAllowedInThisState = 2,
    UnknownRequest = 3,
}

/// <summary>What the send job may do with a message it is about to send.</summary>
public abstract record Claim
{
    public sealed record Send : Claim;

    public sealed record Deferred(DateTimeOffset Until, string Rule) : Claim;

    public sealed record Cancelled(string Reason) : Claim;

    /// <summary>Already claimed, sent or cancelled: nothing to do (a second run of the job).</summary>
    public sealed record NotPlanned : Claim;
}

/// <summary>What the transport said.</summary>
public abstract record SendResult
{
    public sealed record Sent : SendResult;

    /// <summary>Nothing reached the server's DATA phase: safe to try again later.</summary>
    public sealed record Transient(string Category) : SendResult;

    /// <summary>The server refused for good; a refused recipient means the address bounced.</summary>
    public sealed record Permanent(string Category, bool RecipientRejected) : SendResult;

    /// <summary>It may have been delivered: never resent automatically.</summary>
    public sealed record Uncertain(string Category) : SendResult;
}

/// <summary>
/// Everything we write to one person, and everything that decides it: their <see cref="Contact"/>, their
/// requests as planning sees them, and every message from planned to sent. Each command applies one rule
/// of DESIGN.md and re-plans before it returns, so the plan is always what the rules say now; the send
/// job claims through <see cref="ClaimToSend"/>, which asks the same <see cref="Delivery"/> again.
/// </summary>
public sealed class Correspondence
{
    private readonly List<RequestState> _requests;
    private readonly List<OutboxEntry> _messages;
    private readonly PacingSettings _settings;

    public Correspondence(Contact contact, IEnumerable<RequestState> requests, IEnumerable<OutboxEntry> messages, PacingSettings settings)
    {
        Contact = contact;
        _requests = [.. requests];
        _messages = [.. messages];
        _settings = settings;
    }

    public Contact Contact { get; private set; }

    public IReadOnlyList<RequestState> Requests => _requests;

    public IReadOnlyList<OutboxEntry> Messages => _messages;

    public RequestState? Request(Guid requestId) => _requests.Find(r => r.Id == requestId);

    /// <summary>A new request arrives with this person's address.</summary>
    public Submission Submit(Guid requestId, Pace pace, string timeZone, bool needsAHuman, DateTimeOffset now)
    {
        var welcomed = Contact.MayTakeNewDetailsAt(now);
        if (welcomed)
        {
            // Writing in again is the newest word on how they'd like to be reached.
            Contact = Contact.ConfirmAddress(pace, timeZone);
        }

        // The newest request is the one automation follows: older ones stay with staff, without check-ins of their own.
        _requests.Where(r => r.IsOpen).ToList().ForEach(r => Replace(r.SupersededByANewerRequest()));
        _requests.Add(new RequestState(
            requestId,
            IntakeStatus.Submitted,
            now,
            needsAHuman ? AutomationStopReasons.NeedsAHuman : null,
            AwaitingAddressConfirmation: !welcomed));
        Plan(welcomed ? MessageKind.Acknowledgement : MessageKind.AddressConfirmation, requestId, now);
        if (needsAHuman)
        {
            Plan(MessageKind.StaffCrisisAlert, requestId, now);
        }

        Replan(now);
        return welcomed ? Submission.Welcomed : Submission.AwaitingAddressConfirmation;
    }

    /// <summary>
    /// The owner of the address confirmed a request sent with it: every request still waiting for that
    /// (a second one may have come while the one confirmation per 30 days was out) is theirs, and contact
    /// reopens with the choices of the newest.
    /// </summary>
    /// <param name="pace">The newest waiting request's pace.</param>
    /// <param name="timeZone">The newest waiting request's zone.</param>
    public bool ConfirmAddress(Guid requestId, Pace pace, string timeZone, DateTimeOffset now)
    {
        if (Request(requestId) is not { AwaitingAddressConfirmation: true } || Contact.Erased)
        {
            return false;
        }

        Contact = Contact.ConfirmAddress(pace, timeZone);
        _requests.Where(r => r.AwaitingAddressConfirmation).ToList().ForEach(r => Replace(r.AddressConfirmed(now)));
        Replan(now);
        return true;
    }


    public ContactChange Stop(DateTimeOffset now)
    {
        var wasStopped = Contact.StatusAt(now) == ContactStatus.Stopped;
        Contact = Contact.Stop();
        Replan(now);
        return wasStopped ? ContactChange.Unchanged : ContactChange.Applied;
    }

    public ContactChange Pause(DateTimeOffset until, DateTimeOffset now) => Change(Contact.Pause(until, now), now);

    public ContactChange Resume(DateTimeOffset now) => Change(Contact.Resume(now), now);

    /// <summary>A pace chosen by link counts from now for every open request; after a stop it is only recorded.</summary>
    public ContactChange ChangePace(Pace pace, DateTimeOffset now)
    {
        var (contact, change) = Contact.ChangePace(pace, now);
        Contact = contact;
        if (change != ContactChange.StopStands)
        {
            _requests.ToList().ForEach(r => Replace(r.PaceChosen(now)));
        }

        Replan(now);
        return change;
    }

    /// <summary>"Not now / no thanks": each open request closes, each with one short confirmation, then nothing more.</summary>
    public int NotNow(DateTimeOffset now)
    {
        var open = _requests.Where(r => r.IsOpen).ToList();
        open.ForEach(r => Replace(r.DeclinedByPerson()));

        // One click, one short note: about their newest request, whatever older ones it closed too.
        if (open.Count > 0)
        {
            Plan(MessageKind.ClosedAtTheirRequest, open[^1].Id, now, CloseReason.PersonDeclined);
        }

        Replan(now);
        return open.Count;
    }

    /// <summary>Nothing is sent after erasure, ever.</summary>
    public void Erase(DateTimeOffset now)
    {
        Contact = Contact.Erase();
        _requests.Where(r => r.IsOpen).ToList().ForEach(r => Replace(r.ClosedByStaff()));
        Replan(now);
    }

    /// <summary>A therapist takes the request: a submitted request is now in conversation.</summary>
    public StaffChange Assign(Guid requestId)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        if (!IntakeTransitions.CanAssign(request.Status))
        {
            return StaffChange.NotAllowedInThisState;
        }

        Replace(request with { Status = IntakeTransitions.AfterAssign(request.Status) });
        return StaffChange.Done;
    }

    public StaffChange CloseByStaff(Guid requestId, CloseReason reason, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        if (!IntakeTransitions.CanClose(request.Status))
        {
            return StaffChange.NotAllowedInThisState;
        }

        // No silent declines: every request staff close ends with one outcome message.
        Replace(request.ClosedByStaff());
        Plan(MessageKind.Outcome, requestId, now, reason);
        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// A session was booked for the request (again: nothing changes): it is booked, and its automated
    /// follow-ups end. A closed request stays closed; the booking stands on the therapist's calendar.
    /// </summary>
    public StaffChange MarkBooked(Guid requestId, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        if (request.Status == IntakeStatus.Closed)
        {
            return StaffChange.NotAllowedInThisState;
        }

        Replace(request.Booked());
        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// Staff offered times for the request (the therapist's calendar holds them): one message with one link
    /// goes in the send window; any earlier offer's message still waiting is superseded. Again for the same
    /// offer: nothing changes.
    /// </summary>
    public StaffChange OfferTimes(Guid requestId, Guid offerId, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        if (About(offerId, MessageKind.OfferOfTimes) is not null)
        {
            return StaffChange.Done;
        }

        if (!request.IsOpen || !MayBeWrittenTo(now))
        {
            return StaffChange.NotAllowedInThisState;
        }

        foreach (var stale in _messages.Where(m => m.IsPlanned && m.RequestId == requestId && m.Kind is MessageKind.OfferOfTimes or MessageKind.ReleasedHold))
        {
            Cancel(stale, HoldReasons.Superseded);
        }

        Replace(request.TimesOffered(now));
        Plan(MessageKind.OfferOfTimes, requestId, now, subjectId: offerId);
        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// What became of an offer (the therapist's calendar decided it): the person hears the outcome by the
    /// table's rules, and the therapist hears when the person picked or asked for other times. Idempotent:
    /// told again about the same offer, nothing changes.
    /// <list type="bullet">
    /// <item>picked: the request is booked, and the person gets the confirmation at once;</item>
    /// <item>none work: the request is with the therapist again; the person gets a short confirmation;</item>
    /// <item>not now: the request closes, with its one short confirmation;</item>
    /// <item>lapsed: the request is with the therapist again; the person gets one quiet note in the window —
    /// unless the offer never reached them, in which case its message is withdrawn and nothing is said.</item>
    /// </list>
    /// </summary>
    public StaffChange OfferSettled(Guid requestId, Guid offerId, Scheduling.OfferStatus outcome, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        var kind = outcome switch
        {
            Scheduling.OfferStatus.Picked => MessageKind.BookingConfirmed,
            Scheduling.OfferStatus.NoneWork => MessageKind.OtherTimesAsked,
            Scheduling.OfferStatus.NotNow => MessageKind.ClosedAtTheirRequest,
            Scheduling.OfferStatus.Lapsed => MessageKind.ReleasedHold,
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "An open offer has not settled."),
        };
        if (About(offerId, kind) is not null || (outcome == Scheduling.OfferStatus.Lapsed && About(offerId, MessageKind.OfferOfTimes) is { Status: MessageStatus.Cancelled }))
        {
            // Said already (or there is nothing to say); the request is with its therapist again all the same.
            if (outcome is Scheduling.OfferStatus.Lapsed or Scheduling.OfferStatus.NoneWork)
            {
                Replace(request.BackWithTherapist());
            }

            return StaffChange.Done;
        }

        switch (outcome)
        {
            case Scheduling.OfferStatus.Picked:
                Replace(request.Status == IntakeStatus.Closed ? request : request.Booked());
                Plan(MessageKind.BookingConfirmed, requestId, now, subjectId: offerId);
                Plan(MessageKind.TherapistOfferAnswer, requestId, now, subjectId: offerId);
                break;
            case Scheduling.OfferStatus.NoneWork:
                Replace(request.BackWithTherapist());
                Plan(MessageKind.OtherTimesAsked, requestId, now, subjectId: offerId);
                Plan(MessageKind.TherapistOfferAnswer, requestId, now, subjectId: offerId);
                break;
            case Scheduling.OfferStatus.NotNow when request.IsOpen:
                Replace(request.DeclinedByPerson());
                Plan(MessageKind.ClosedAtTheirRequest, requestId, now, CloseReason.PersonDeclined, offerId);
                break;
            case Scheduling.OfferStatus.NotNow:
                // Closed already (their not-now from another email, say): its one note went then.
                break;
            case Scheduling.OfferStatus.Lapsed:
                Replace(request.BackWithTherapist());
                if (About(offerId, MessageKind.OfferOfTimes) is { IsPlanned: true } unsent)
                {
                    // They never saw the times: withdrawing the offer is the whole story.
                    Cancel(unsent, HoldReasons.OfferLapsed);
                }
                else
                {
                    Plan(MessageKind.ReleasedHold, requestId, now, subjectId: offerId);
                }

                break;
        }

        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// A session of theirs was booked, moved or cancelled (the therapist's calendar decided). What the table
    /// says follows, each message once per version of the appointment:
    /// <list type="bullet">
    /// <item>booked or moved by staff: a note with the invite (in the window, or at once within 48 h);</item>
    /// <item>booked by their own pick: its confirmation came with the offer; nothing more here;</item>
    /// <item>every booking or move: one reminder, unless they turned reminders off; the old version's
    /// reminder and notes still planned are withdrawn;</item>
    /// <item>cancelled by staff: a calm note with the CANCEL invite, if they ever heard of the session;</item>
    /// <item>cancelled by the person: their confirmation at once, and a note to the therapist.</item>
    /// </list>
    /// </summary>
    public StaffChange SessionChanged(SessionNews news, DateTimeOffset now)
    {
        if (SessionRequest(news) is not { } sessionRequest)
        {
            return StaffChange.UnknownRequest;
        }

        var id = sessionRequest.Id;

        var earlier = _messages.Where(m => m.SubjectId == news.AppointmentId && m.SubjectSequence < news.Sequence).ToList();
        foreach (var stale in earlier.Where(m => m.IsPlanned))
        {
            Cancel(stale, news.Change == SessionChange.Cancelled ? HoldReasons.SessionNotOn : HoldReasons.Superseded);
        }

        switch (news.Change)
        {
            case SessionChange.Booked or SessionChange.Moved:
                if (!news.ByPerson)
                {
                    PlanAbout(news, news.Change == SessionChange.Booked ? MessageKind.SessionBooked : MessageKind.SessionMoved, id, now);
                }

                // With reminders off it is planned withdrawn, so that turning them on again brings it back.
                if (PlanAbout(news, MessageKind.SessionReminder, id, now) is { } reminder && Contact.RemindersOff)
                {
                    Cancel(reminder, HoldReasons.RemindersOff);
                }

                break;
            case SessionChange.Cancelled when news.ByPerson:
                PlanAbout(news, MessageKind.CancelledAtTheirRequest, id, now);
                PlanAbout(news, MessageKind.TherapistSessionNote, id, now);
                break;
            case SessionChange.Cancelled:
                // Told of a session only to hear it is off, they would be told twice about nothing: say nothing.
                // A confirmation of their own pick counts whatever became of it: they saw "confirmed" on the page.
                var heardOfIt = _messages.Any(m =>
                    (m.AsPast() is { ReachedThem: true } && m.SubjectId == news.AppointmentId && m.Kind is MessageKind.SessionBooked or MessageKind.SessionMoved or MessageKind.SessionReminder)
                    || (m.Kind == MessageKind.BookingConfirmed && m.RequestId == id));
                if (heardOfIt)
                {
                    PlanAbout(news, MessageKind.SessionCancelled, id, now);
                }

                break;
        }

        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// "Could we find another time?" from the person's manage link: the session stands until staff move it,
    /// the request is back in the therapist's queue, the person gets a short confirmation and the therapist a note.
    /// </summary>
    public StaffChange AnotherTimeAsked(SessionNews news, DateTimeOffset now)
    {
        if (SessionRequest(news) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        var id = request.Id;
        if (_messages.Any(m => m.SubjectId == news.AppointmentId && m.SubjectSequence == news.Sequence && m.Kind == MessageKind.AnotherTimeAsked))
        {
            return StaffChange.Done;
        }

        // Back in the therapist's queue, but a conversation between people: no check-ins come back.
        if (request.Status == IntakeStatus.Booked)
        {
            Replace(request.Replied(now) with { Status = IntakeStatus.InConversation });
        }

        PlanAbout(news, MessageKind.AnotherTimeAsked, id, now);
        PlanAbout(news, MessageKind.TherapistSessionNote, id, now);
        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>Reminders off (or on again): planned ones are withdrawn; nothing else changes.</summary>
    public ContactChange TurnReminders(bool on, DateTimeOffset now)
    {
        if (Contact.RemindersOff == !on)
        {
            return ContactChange.Unchanged;
        }

        Contact = Contact with { RemindersOff = !on };
        if (!on)
        {
            foreach (var reminder in _messages.Where(m => m.IsPlanned && m.Kind == MessageKind.SessionReminder))
            {
                Cancel(reminder, HoldReasons.RemindersOff);
            }
        }
        else
        {
            // The reminders withdrawn for this, for sessions still ahead and not moved since, come back.
            var back = _messages
                .Where(m => m.Kind == MessageKind.SessionReminder && m.Status == MessageStatus.Cancelled && m.StatusReason == HoldReasons.RemindersOff && m.SessionStartsAt > now)
                .Where(m => !_messages.Any(o => o.SubjectId == m.SubjectId && o.SubjectSequence > m.SubjectSequence))
                .Where(m => !_messages.Any(o => o.SubjectId == m.SubjectId && o.SubjectSequence == m.SubjectSequence && o.Kind == MessageKind.SessionReminder && o.Status != MessageStatus.Cancelled))
                .DistinctBy(m => (m.SubjectId, m.SubjectSequence))
                .ToList();
            foreach (var old in back)
            {
                _messages.Add(new OutboxEntry
                {
                    Id = Guid.CreateVersion7(now),
                    RequestId = old.RequestId,
                    Kind = MessageKind.SessionReminder,
                    CreatedAt = now,
                    DueAt = now,
                    SubjectId = old.SubjectId,
                    SubjectSequence = old.SubjectSequence,
                    SessionStartsAt = old.SessionStartsAt,
                });
            }
        }

        Replan(now);
        return ContactChange.Applied;
    }

    /// <summary>Staff write in their own words: it goes in the send window and restarts the request's pacing clock.</summary>
    public StaffChange WritePersonally(Guid requestId, Guid messageId, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        if (Contact.Erased || Contact.StatusAt(now) is ContactStatus.Stopped or ContactStatus.Bounced)
        {
            return StaffChange.NotAllowedInThisState;
        }

        Replace(request.WrotePersonally(now));
        _messages.Add(NewEntry(messageId, MessageKind.Personal, requestId, now, null));
        Replan(now);
        return StaffChange.Done;
    }

    public StaffChange Replied(Guid requestId, DateTimeOffset now)
    {
        if (Request(requestId) is not { } request)
        {
            return StaffChange.UnknownRequest;
        }

        Replace(request.Replied(now));
        Replan(now);
        return StaffChange.Done;
    }

    /// <summary>
    /// The last look before a message goes (DESIGN invariants 3 and 4), by the same rules that planned it.
    /// It re-plans first, so a plan that an interrupted send job never wrote is made good here.
    /// </summary>
    public Claim ClaimToSend(Guid messageId, DateTimeOffset now)
    {
        if (_messages.Find(m => m.Id == messageId) is not { IsPlanned: true } message)
        {
            return new Claim.NotPlanned();
        }

        Replan(now);
        if (message.Status == MessageStatus.Cancelled)
        {
            return new Claim.Cancelled(message.StatusReason ?? HoldReasons.Superseded);
        }

        var request = message.RequestId is { } id ? Request(id) : null;
        var plannedCounting = OutboxPlan.PlannedCounting(_messages.Where(m => m.IsPlanned).Select(m => m.AsPending()), except: messageId);
        switch (Delivery.Decide(message.Kind.Rule(), request, message.DueAt, message.DueRule, new DeliveryContext(Contact, History(), _settings, now, plannedCounting), message.AsPending().Session))
        {
            case DoNotSend hold:
                Cancel(message, hold.Reason);
                return new Claim.Cancelled(hold.Reason);
            case SendAt send when send.At > now:
                message.DueAt = send.At;
                message.DueRule = send.Rule;
                return new Claim.Deferred(send.At, send.Rule);
        }

        message.Status = MessageStatus.Sending;
        message.ClaimedAt = now;
        message.Attempts++;
        message.FirstAttemptAt ??= now;
        return new Claim.Send();
    }

    /// <summary>A planned message that cannot go for a reason outside the person's state (e.g. no recipient is configured).</summary>
    public bool Withdraw(Guid messageId, string reason)
    {
        if (_messages.Find(m => m.Id == messageId) is not { IsPlanned: true } message)
        {
            return false;
        }

        Cancel(message, reason);
        return true;
    }

    /// <summary>
    /// Records what the server said. The caller commits it, then calls <see cref="Replan"/> in a transaction
    /// of its own, so that no planning failure can ever undo the record of a send.
    /// </summary>
    /// <returns>False when the message was not being sent (its outcome was recorded already): nothing changes.</returns>
    public bool RecordOutcome(Guid messageId, SendResult result, DateTimeOffset now)
    {
        var message = _messages.Find(m => m.Id == messageId);
        if (message is not { Status: MessageStatus.Sending })
        {
            return false;
        }

        switch (result)
        {
            case SendResult.Sent:
                message.Status = MessageStatus.Sent;
                message.SentAt = now;
                message.StatusReason = null;
                message.RetryAt = null;
                break;
            case SendResult.Transient transient when RetryPolicy.NextAttempt(message.Attempts, message.FirstAttemptAt ?? now, now) is { } retry:
                message.Status = MessageStatus.Planned;
                message.RetryAt = retry;
                message.DueAt = retry;
                message.DueRule = TimingRules.RetryBackoff;
                message.StatusReason = transient.Category;
                break;
            case SendResult.Transient transient:
                message.Status = MessageStatus.Failed;
                message.StatusReason = "gave-up:" + transient.Category;
                break;
            case SendResult.Permanent permanent:
                message.Status = MessageStatus.Failed;
                message.StatusReason = permanent.Category;
                // Only the person's own address can bounce; a refused on-duty address says nothing about them.
                if (permanent.RecipientRejected && message.Kind.Rule().ToThePerson)
                {
                    Contact = Contact.Bounce();
                }

                break;
            case SendResult.Uncertain uncertain:
                message.Status = MessageStatus.Uncertain;
                message.StatusReason = uncertain.Category;
                break;
        }

        return true;
    }

    /// <summary>Brings every planned message in line with the rules as they stand at <paramref name="now"/>.</summary>
    public void Replan(DateTimeOffset now)
    {
        var changes = OutboxPlan.Replan(Contact, _requests, History(), [.. _messages.Where(m => m.IsPlanned).Select(m => m.AsPending())], _settings, now);
        foreach (var move in changes.Reschedule)
        {
            var message = _messages.Single(m => m.Id == move.MessageId);
            message.DueAt = move.DueAt;
            message.DueRule = move.Rule;
        }

        foreach (var cancel in changes.Cancel)
        {
            Cancel(_messages.Single(m => m.Id == cancel.MessageId), cancel.Reason);
        }

        foreach (var add in changes.Add)
        {
            var entry = NewEntry(Guid.CreateVersion7(now), add.Kind, add.RequestId, now, null);
            entry.DueAt = add.DueAt;
            entry.DueRule = add.Rule;
            _messages.Add(entry);
        }
    }

    public IReadOnlyList<PastMessage> History() => [.. _messages.Select(m => m.AsPast()).OfType<PastMessage>()];

    private ContactChange Change((Contact Contact, ContactChange Change) result, DateTimeOffset now)
    {
        Contact = result.Contact;
        Replan(now);
        return result.Change;
    }

    private void Plan(MessageKind kind, Guid requestId, DateTimeOffset now, CloseReason? reason = null, Guid? subjectId = null) =>
        _messages.Add(NewEntry(Guid.CreateVersion7(now), kind, requestId, now, reason, subjectId));

    private static OutboxEntry NewEntry(Guid id, MessageKind kind, Guid? requestId, DateTimeOffset now, CloseReason? reason, Guid? subjectId = null) => new()
    {
        Id = id,
        RequestId = requestId,
        Kind = kind,
        CreatedAt = now,
        DueAt = now,
        OutcomeReason = reason,
        SubjectId = subjectId,
    };

    /// <summary>The request a session is for; a session booked without one belongs with the person's newest request (requests are in order of arrival).</summary>
    private RequestState? SessionRequest(SessionNews news) => news.RequestId is { } id ? Request(id) : _requests.LastOrDefault();

    /// <summary>A message about one version of an appointment, once.</summary>
    /// <returns>The new message, or null when it was planned already.</returns>
    private OutboxEntry? PlanAbout(SessionNews news, MessageKind kind, Guid requestId, DateTimeOffset now)
    {
        if (_messages.Any(m => m.SubjectId == news.AppointmentId && m.SubjectSequence == news.Sequence && m.Kind == kind))
        {
            return null;
        }

        var entry = new OutboxEntry
        {
            Id = Guid.CreateVersion7(now),
            RequestId = requestId,
            Kind = kind,
            CreatedAt = now,
            DueAt = now,
            SubjectId = news.AppointmentId,
            SubjectSequence = news.Sequence,
            SessionStartsAt = news.StartsAt,
        };
        _messages.Add(entry);
        return entry;
    }

    /// <summary>The message of this kind about this offer, if there is one.</summary>
    private OutboxEntry? About(Guid subjectId, MessageKind kind) => _messages.Find(m => m.SubjectId == subjectId && m.Kind == kind);

    private bool MayBeWrittenTo(DateTimeOffset now) =>
        !Contact.Erased && Contact.StatusAt(now) is not (ContactStatus.Stopped or ContactStatus.Bounced);

    private static void Cancel(OutboxEntry message, string reason)
    {
        message.Status = MessageStatus.Cancelled;
        message.StatusReason = reason;
    }

    private void Replace(RequestState request) => _requests[_requests.FindIndex(r => r.Id == request.Id)] = request;
}
