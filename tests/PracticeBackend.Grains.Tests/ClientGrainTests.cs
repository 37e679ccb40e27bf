using Microsoft.EntityFrameworkCore;
using Npgsql;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Grains.Tests;

/// <summary>
/// The person's grain, command by command, on an in-process cluster against a real PostgreSQL: each
/// command's rows as stored afterwards, and the conflict path (another writer got there first).
/// </summary>
[Collection(GrainCluster.Name)]
public sealed class ClientGrainTests(GrainClusterFixture cluster)
{
    private static readonly StaffActor Admin = new(Guid.NewGuid(), StaffRoles.Admin, null, "grain-test", false);

    [Fact]
    public async Task Stop_CancelsEverythingPlanned_AndRecordsTheWithdrawnConsent()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);

        var result = await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails));

        Assert.Equal(ContactChange.Applied, result.Change);
        await using var db = cluster.CreateDbContext();
        Assert.Equal(ContactStatus.Stopped, (await db.Clients.SingleAsync(c => c.Id == person)).ContactStatus);
        Assert.Empty(await PlannedAsync(db, person));
        Assert.Contains(await db.OutboxMessages.Where(m => m.ClientId == person).ToListAsync(), m => m.Status == MessageStatus.Cancelled && m.StatusReason == HoldReasons.Stopped);
        Assert.True(await db.ConsentRecords.AnyAsync(c => c.ClientId == person && !c.Granted && c.TextVersion == "stop"));
    }

    [Fact]
    public async Task PauseThenResume_HoldsTheirMessagesUntilThePauseEnds_AndReleasesThem()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);

        var paused = await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.Pause, PauseDays: 30));
        var heldUntil = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.GentleCheckIn).DueAt;
        var resumed = await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.Resume));
        var dueAfterResume = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.GentleCheckIn).DueAt;

        // Against the pause as stored: PostgreSQL keeps microseconds, the answer carries the clock's 100 ns ticks.
        Assert.NotNull(paused.PausedUntil);
        var belowAMicrosecond = TimeSpan.FromTicks(paused.PausedUntil!.Value.UtcTicks % TimeSpan.TicksPerMicrosecond);
        Assert.True(heldUntil >= paused.PausedUntil.Value.UtcDateTime - belowAMicrosecond, $"held {heldUntil:O} paused until {paused.PausedUntil:O}");
        Assert.Equal(ContactChange.Applied, resumed.Change);
        Assert.True(dueAfterResume < heldUntil);
    }

    [Fact]
    public async Task ChangePace_ReplacesThePlannedFollowUp_WithWhatTheNewPaceCallsFor()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);

        await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.ChangePace, Pace: Pace.CheckIn2Weeks));

        var followUps = (await PlannedAsync(person)).Where(m => m.Kind.IsAutomatedFollowUp()).ToList();
        Assert.Equal(MessageKind.ScheduledCheckIn, Assert.Single(followUps).Kind);
        await using var db = cluster.CreateDbContext();
        Assert.Equal(Pace.CheckIn2Weeks, (await db.Clients.SingleAsync(c => c.Id == person)).Pace);
    }

    [Fact]
    public async Task NotNow_ClosesTheirRequests_WithOneConfirmation()
    {
        var first = Submissions.New(pace: Pace.Gentle);
        var (person, intake) = await PersonAsync(submission: first);
        await cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7()).Submit(first with { IdempotencyKeyHash = null });

        await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.NotNow));

        await using var db = cluster.CreateDbContext();
        Assert.All(await db.IntakeRequests.Where(r => r.ClientId == person).ToListAsync(), r =>
        {
            Assert.Equal(IntakeStatus.Closed, r.Status);
            Assert.Equal(CloseReason.PersonDeclined, r.ClosedReason);
        });
        Assert.Single(await PlannedAsync(db, person), m => m.Kind == MessageKind.ClosedAtTheirRequest);
        Assert.DoesNotContain(await PlannedAsync(db, person), m => m.Kind.IsAutomatedFollowUp());
        Assert.True(await db.IntakeEvents.AnyAsync(e => e.IntakeRequestId == intake && e.Kind == IntakeEventKinds.Closed));
    }

    [Fact]
    public async Task AStoppedAddressWritingAgain_WaitsForItsOwner_AndConfirmingReopensContactWithTheNewDetails()
    {
        var first = Submissions.New(pace: Pace.Gentle);
        var (person, _) = await PersonAsync(submission: first);
        await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails));
        var again = first with { Pace = Pace.CheckIn1Month, Contact = first.Contact with { NameSealed = [1, 2, 3] } };
        var secondIntake = Guid.CreateVersion7();

        await cluster.Grains.GetGrain<IIntakeRequestGrain>(secondIntake).Submit(again);

        await using (var db = cluster.CreateDbContext())
        {
            var client = await db.Clients.SingleAsync(c => c.Id == person);
            Assert.Equal(ContactStatus.Stopped, client.ContactStatus);
            Assert.Equal(first.Contact.NameSealed, client.NameSealed);
            Assert.True((await db.IntakeRequests.SingleAsync(r => r.Id == secondIntake)).AwaitingAddressConfirmation);
            Assert.Equal([MessageKind.AddressConfirmation], (await PlannedAsync(db, person)).Select(m => m.Kind));
        }

        var confirmed = await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.ConfirmAddress, IntakeId: secondIntake));

        Assert.Equal(ContactChange.Applied, confirmed.Change);
        await using (var db = cluster.CreateDbContext())
        {
            var client = await db.Clients.SingleAsync(c => c.Id == person);
            Assert.Equal(ContactStatus.Open, client.ContactStatus);
            Assert.Equal(Pace.CheckIn1Month, client.Pace);
            Assert.Equal(again.Contact.NameSealed, client.NameSealed);
            Assert.Contains(await PlannedAsync(db, person), m => m.Kind == MessageKind.ScheduledCheckIn && m.IntakeRequestId == secondIntake);
        }
    }

    [Fact]
    public async Task Erase_RemovesWhatIdentifiesThem_RevokesTheirLinks_AndCancelsEverything()
    {
        var (person, intake) = await PersonAsync(Pace.Gentle);
        var ack = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.Acknowledgement);
        await Grain(person).ClaimToSend(new ClaimToSend(ack.Id));

        var erased = await Grain(person).EraseDetails(new EraseClient(Admin, AuditActions.ClientErase));

        Assert.Equal(StaffCommandOutcome.Done, erased.Outcome);
        await using var db = cluster.CreateDbContext();
        var client = await db.Clients.SingleAsync(c => c.Id == person);
        Assert.NotNull(client.ErasedAt);
        Assert.Empty(client.EmailSealed);
        Assert.Null(client.NameSealed);
        Assert.Null((await db.IntakeRequests.SingleAsync(r => r.Id == intake)).MessageSealed);
        Assert.Empty(await PlannedAsync(db, person));
        Assert.All(await db.ContactTokens.Where(t => t.ClientId == person).ToListAsync(), t => Assert.NotNull(t.RevokedAt));
        Assert.Equal(PreferenceOutcome.NotFound, (await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails))).Outcome);
    }

    [Fact]
    public async Task StaffChanges_AssignCloseWriteAndReply_EachWriteTheirRowsEventAndAudit()
    {
        var (person, intake) = await PersonAsync(Pace.Gentle);
        var therapist = await TherapistAsync();

        Assert.Equal(StaffCommandOutcome.Done, (await Change(person, intake, RequestChangeKind.Assign, therapistId: therapist)).Outcome);
        Assert.Equal(StaffCommandOutcome.Done, (await Change(person, intake, RequestChangeKind.WritePersonally, body: [9, 9, 9])).Outcome);
        Assert.Equal(StaffCommandOutcome.Done, (await Change(person, intake, RequestChangeKind.MarkReplied)).Outcome);
        Assert.Equal(StaffCommandOutcome.Done, (await Change(person, intake, RequestChangeKind.Close, reason: CloseReason.NotAFit)).Outcome);
        Assert.Equal(StaffCommandOutcome.NotAllowedInThisState, (await Change(person, intake, RequestChangeKind.Close, reason: CloseReason.NotAFit)).Outcome);

        await using var db = cluster.CreateDbContext();
        var request = await db.IntakeRequests.SingleAsync(r => r.Id == intake);
        Assert.Equal(therapist, request.AssignedTherapistId);
        Assert.Equal(IntakeStatus.Closed, request.Status);
        Assert.Equal(CloseReason.NotAFit, request.ClosedReason);
        Assert.Equal(AutomationStopReasons.Replied, request.AutomationStoppedReason);
        var messages = await db.OutboxMessages.Where(m => m.IntakeRequestId == intake).ToListAsync();
        Assert.Equal([9, 9, 9], messages.Single(m => m.Kind == MessageKind.Personal).BodySealed);
        Assert.Contains(messages, m => m.Kind == MessageKind.Outcome && m.Status == MessageStatus.Planned && m.OutcomeReason == CloseReason.NotAFit);
        Assert.Equal(
            [IntakeEventKinds.Submitted, IntakeEventKinds.Assigned, IntakeEventKinds.PersonalMessage, IntakeEventKinds.Replied, IntakeEventKinds.Closed],
            await db.IntakeEvents.Where(e => e.IntakeRequestId == intake).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        var audit = await db.AuditEvents.Where(a => a.SubjectId == intake).OrderBy(a => a.Id).Select(a => a.Outcome).ToListAsync();
        Assert.Equal([AuditOutcomes.Success, AuditOutcomes.Success, AuditOutcomes.Success, AuditOutcomes.Success, AuditOutcomes.Denied], audit);
    }

    [Fact]
    public async Task StaffChanges_AreNotFound_ForATherapistWhoseRequestItIsNot_AndTheLookIsAudited()
    {
        var (person, intake) = await PersonAsync(Pace.Gentle);
        var colleague = await TherapistAsync();
        var other = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, await TherapistAsync(), "grain-test", false);
        await Change(person, intake, RequestChangeKind.Assign, therapistId: colleague);

        var result = await Grain(person).ChangeRequest(new RequestChange(other, intake, RequestChangeKind.Close, Reason: CloseReason.NotAFit));

        Assert.Equal(StaffCommandOutcome.NotFound, result.Outcome);
        await using var db = cluster.CreateDbContext();
        Assert.NotEqual(IntakeStatus.Closed, (await db.IntakeRequests.SingleAsync(r => r.Id == intake)).Status);
        Assert.True(await db.AuditEvents.AnyAsync(a => a.SubjectId == intake && a.ActorUserId == other.UserId && a.Outcome == AuditOutcomes.NotFound));
    }

    [Fact]
    public async Task ClaimToSend_ClaimsOnce_IssuingTheMessagesLinks_AndTheRecordedSendPlansWhatFollows()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);
        var ack = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.Acknowledgement);

        var first = await Grain(person).ClaimToSend(new ClaimToSend(ack.Id));
        var second = await Grain(person).ClaimToSend(new ClaimToSend(ack.Id));
        var recorded = await Grain(person).RecordDelivery(new RecordDelivery(ack.Id, DeliveryResult.Sent, ServerReply: "250 queued"));

        Assert.Equal(SendClaimOutcome.Send, first.Outcome);
        Assert.NotNull(first.Message?.Links);
        Assert.Equal(SendClaimOutcome.NotPlanned, second.Outcome);
        Assert.Equal(MessageStatus.Sent, recorded.Status);
        await using var db = cluster.CreateDbContext();
        var sent = await db.OutboxMessages.SingleAsync(m => m.Id == ack.Id);
        Assert.Equal(("250 queued", 1), (sent.ServerReply, sent.Attempts));
        Assert.Equal(5, await db.ContactTokens.CountAsync(t => t.OutboxMessageId == ack.Id));
        Assert.Contains(await PlannedAsync(db, person), m => m.Kind == MessageKind.GentleCheckIn);
    }

    [Fact]
    public async Task RecordDelivery_ARefusedRecipientBouncesTheAddress_AndAFailureBeforeDataIsRetried()
    {
        var (bouncing, _) = await PersonAsync(Pace.Gentle);
        var (retried, _) = await PersonAsync(Pace.Gentle);

        await ClaimAndRecordAckAsync(bouncing, new RecordDelivery(Guid.Empty, DeliveryResult.Permanent, "smtp-550", RecipientRejected: true));
        var retry = await ClaimAndRecordAckAsync(retried, new RecordDelivery(Guid.Empty, DeliveryResult.Transient, "smtp-connect"));

        await using var db = cluster.CreateDbContext();
        Assert.Equal(ContactStatus.Bounced, (await db.Clients.SingleAsync(c => c.Id == bouncing)).ContactStatus);
        Assert.Empty(await PlannedAsync(db, bouncing));
        var again = await db.OutboxMessages.SingleAsync(m => m.Id == retry);
        Assert.Equal((MessageStatus.Planned, TimingRules.RetryBackoff, "smtp-connect"), (again.Status, again.DueRule, again.StatusReason));
    }

    [Fact]
    public async Task MarkClaimAbandoned_LeavesTheClaimUncertain_NeverToBeResent()
    {
        var (person, _) = await PersonAsync(Pace.WhenReady);
        var ack = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.Acknowledgement);
        await Grain(person).ClaimToSend(new ClaimToSend(ack.Id));

        await Grain(person).MarkClaimAbandoned(new MarkClaimAbandoned(ack.Id, "claim-abandoned"));

        await using var db = cluster.CreateDbContext();
        var stored = await db.OutboxMessages.SingleAsync(m => m.Id == ack.Id);
        Assert.Equal((MessageStatus.Uncertain, "claim-abandoned"), (stored.Status, stored.StatusReason));
        Assert.Equal(SendClaimOutcome.NotPlanned, (await Grain(person).ClaimToSend(new ClaimToSend(ack.Id))).Outcome);
    }

    [Fact]
    public async Task ASecondWriterThatGotThereFirst_WinsAndIsSeen_TheGrainRetriesOnItsState()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);

        // Another activation (or any other writer) stops the person behind this grain's back.
        await ExecuteAsync("UPDATE clients SET contact_status = 'Stopped' WHERE id = @id", person);
        var result = await Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.ChangePace, Pace: Pace.Gentle));

        Assert.Equal(ContactChange.StopStands, result.Change);
        await using var db = cluster.CreateDbContext();
        Assert.Equal(ContactStatus.Stopped, (await db.Clients.SingleAsync(c => c.Id == person)).ContactStatus);
        Assert.Empty(await PlannedAsync(db, person));
    }

    [Fact]
    public async Task AConflictThatDoesNotGoAway_FailsCleanly_WithNothingWritten()
    {
        var (person, _) = await PersonAsync(Pace.Gentle);
        var before = await CountAsync("SELECT count(*) FROM consent_records WHERE client_id = @id", person);

        // Every update of this client row is swallowed, as if another writer always got there first.
        var trigger = $"swallow_{person:N}";
        await ExecuteAsync($"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER {trigger} BEFORE UPDATE ON clients FOR EACH ROW WHEN (OLD.id = '{person}') EXECUTE FUNCTION {trigger}();
            """, person);
        try
        {
            await Assert.ThrowsAsync<AggregateConflictException>(() => Grain(person).ApplyPreference(new ApplyPreference(PreferenceKind.StopEmails)));
        }
        finally
        {
            await ExecuteAsync($"DROP TRIGGER {trigger} ON clients; DROP FUNCTION {trigger}();", person);
        }

        await using var db = cluster.CreateDbContext();
        Assert.Equal(ContactStatus.Open, (await db.Clients.SingleAsync(c => c.Id == person)).ContactStatus);
        Assert.Equal(before, await CountAsync("SELECT count(*) FROM consent_records WHERE client_id = @id", person));
        Assert.Contains(await PlannedAsync(db, person), m => m.Kind == MessageKind.GentleCheckIn);
    }

    private IClientGrain Grain(Guid clientId) => cluster.Grains.GetGrain<IClientGrain>(clientId);

    [Fact]
    public async Task SomeoneWritingAgain_TheirRequestJoinsTheirClient_ThoughTheDoorFirstTriedANewOne()
    {
        var first = Submissions.New(pace: Pace.Gentle);
        var (person, _) = await PersonAsync(submission: first);

        var again = Guid.CreateVersion7();
        var result = await cluster.Grains.GetGrain<IIntakeRequestGrain>(again).Submit(first with { RequestFingerprint = Submissions.New().RequestFingerprint });

        Assert.Equal(SubmitIntakeOutcome.Created, result.Outcome);
        await using var db = cluster.CreateDbContext();
        Assert.Equal(person, (await db.IntakeRequests.SingleAsync(r => r.Id == again)).ClientId);
        Assert.Equal(1, await db.Clients.CountAsync(c => c.EmailBlindIndex == first.Contact.EmailBlindIndex));
    }

    [Fact]
    public async Task AnErasedPerson_NeverTakesANewRequest_EvenFromADoorThatLookedThemUpBeforeTheErasure()
    {
        var first = Submissions.New(pace: Pace.Gentle);
        var (person, _) = await PersonAsync(submission: first);
        Assert.Equal(StaffCommandOutcome.Done, (await Grain(person).EraseDetails(new EraseClient(Admin, AuditActions.ClientErase))).Outcome);

        // A door that found them by their address just before the erasure hands the request to them.
        var late = await Grain(person).AcceptIntake(new AcceptIntake(Guid.CreateVersion7(), first));
        Assert.Equal(AcceptIntakeOutcome.EmailBelongsToAnotherClient, late.Outcome);

        // Through the door, the same address now starts afresh.
        var again = Guid.CreateVersion7();
        Assert.Equal(SubmitIntakeOutcome.Created, (await cluster.Grains.GetGrain<IIntakeRequestGrain>(again).Submit(first)).Outcome);
        await using var db = cluster.CreateDbContext();
        var owner = (await db.IntakeRequests.SingleAsync(r => r.Id == again)).ClientId;
        Assert.NotEqual(person, owner);
        Assert.Equal(1, await db.IntakeRequests.CountAsync(r => r.ClientId == person));
    }

    private async Task<(Guid ClientId, Guid IntakeId)> PersonAsync(Pace pace = Pace.Gentle, SubmitIntake? submission = null)
    {
        var intakeId = Guid.CreateVersion7();
        var result = await cluster.Grains.GetGrain<IIntakeRequestGrain>(intakeId).Submit(submission ?? Submissions.New(pace: pace, timeZone: "UTC"));
        Assert.Equal(SubmitIntakeOutcome.Created, result.Outcome);
        await using var db = cluster.CreateDbContext();
        return ((await db.IntakeRequests.SingleAsync(r => r.Id == intakeId)).ClientId, intakeId);
    }

    private async Task<Guid> TherapistAsync()
    {
        var id = Guid.CreateVersion7();
        var profile = new TherapistProfile("Dr. Test", [], [PreferredFormat.Video], true, "UTC");
        Assert.Equal(StaffCommandOutcome.Done, (await cluster.Grains.GetGrain<ITherapistGrain>(id).SaveProfile(new SaveTherapistProfile(Admin, profile, Create: true))).Outcome);
        return id;
    }

    private Task<StaffCommandResult> Change(Guid person, Guid intake, RequestChangeKind kind, Guid? therapistId = null, CloseReason? reason = null, byte[]? body = null) =>
        Grain(person).ChangeRequest(new RequestChange(Admin, intake, kind, therapistId, reason, body));

    private async Task<Guid> ClaimAndRecordAckAsync(Guid person, RecordDelivery outcome)
    {
        var ack = (await PlannedAsync(person)).Single(m => m.Kind == MessageKind.Acknowledgement);
        Assert.Equal(SendClaimOutcome.Send, (await Grain(person).ClaimToSend(new ClaimToSend(ack.Id))).Outcome);
        await Grain(person).RecordDelivery(outcome with { MessageId = ack.Id });
        return ack.Id;
    }

    private async Task<List<OutboxMessage>> PlannedAsync(Guid person)
    {
        await using var db = cluster.CreateDbContext();
        return await PlannedAsync(db, person);
    }

    private static Task<List<OutboxMessage>> PlannedAsync(PracticeDbContext db, Guid person) =>
        db.OutboxMessages.Where(m => m.ClientId == person && m.Status == MessageStatus.Planned).ToListAsync();

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
