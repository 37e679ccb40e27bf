using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.IntakeRequests;

namespace PracticeBackend.Grains.Tests;

/// <summary>
/// The grains receive sealed bytes and treat them as opaque, so these tests pass random bytes where
/// the API would pass Data Protection output.
/// </summary>
[Collection(GrainCluster.Name)]
public sealed class IntakeSubmissionTests(GrainClusterFixture cluster)
{
    [Fact]
    public async Task Submit_StoresClientRequestAndConsentTogether_WhenPersonIsNew()
    {
        var command = NewSubmission();
        var intakeId = Guid.CreateVersion7();

        var result = await cluster.Grains.GetGrain<IIntakeRequestGrain>(intakeId).Submit(command);

        Assert.Equal(SubmitIntakeOutcome.Created, result.Outcome);
        Assert.Equal(intakeId, result.IntakeId);
        await using var db = cluster.CreateDbContext();
        var request = await db.IntakeRequests.Include(r => r.Client).SingleAsync(r => r.Id == intakeId);
        Assert.Equal(IntakeStatus.Submitted, request.Status);
        Assert.Equal(Pace.CheckIn1Month, request.Pace);
        Assert.Equal(command.Contact.EmailSealed, request.Client!.EmailSealed);
        Assert.Equal(Pace.CheckIn1Month, request.Client.Pace);
        Assert.Equal(ContactStatus.Open, request.Client.ContactStatus);
        Assert.Equal("Europe/London", request.Client.TimeZone);
        var consent = await db.ConsentRecords.SingleAsync(c => c.IntakeRequestId == intakeId);
        Assert.True(consent.Granted);
        Assert.Equal("2026-11", consent.TextVersion);
        Assert.Equal(request.ClientId, consent.ClientId);
    }

    [Fact]
    public async Task Submit_AddsToTheSameClient_WhenTheEmailIsKnown()
    {
        var first = NewSubmission();
        var second = first with { Pace = Pace.WhenReady, Contact = first.Contact with { NameSealed = null } };

        await cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7()).Submit(first);
        await cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7()).Submit(second);

        await using var db = cluster.CreateDbContext();
        var client = await db.Clients.Include(c => c.IntakeRequests)
            .SingleAsync(c => c.EmailBlindIndex == first.Contact.EmailBlindIndex);
        Assert.Equal(2, client.IntakeRequests.Count);
        Assert.Equal(Pace.WhenReady, client.Pace);
        Assert.Equal(first.Contact.NameSealed, client.NameSealed);
        Assert.Equal(2, await db.ConsentRecords.CountAsync(c => c.ClientId == client.Id));
    }

    [Fact]
    public async Task Submit_CreatesOneClient_WhenTheSameNewEmailArrivesInParallel()
    {
        var template = NewSubmission();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7()).Submit(template)));

        Assert.All(results, r => Assert.Equal(SubmitIntakeOutcome.Created, r.Outcome));
        await using var db = cluster.CreateDbContext();
        var clients = await db.Clients.Where(c => c.EmailBlindIndex == template.Contact.EmailBlindIndex).ToListAsync();
        var client = Assert.Single(clients);
        Assert.Equal(12, await db.IntakeRequests.CountAsync(r => r.ClientId == client.Id));
    }

    [Fact]
    public async Task Submit_ReplaysTheFirstAnswer_WhenTheSameKeyAndFormComeAgain()
    {
        var command = NewSubmission(withKey: true);
        var grain = cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7());

        var first = await grain.Submit(command);
        var again = await grain.Submit(command);

        Assert.Equal(SubmitIntakeOutcome.Created, first.Outcome);
        Assert.Equal(SubmitIntakeOutcome.Replayed, again.Outcome);
        Assert.Equal(first.IntakeId, again.IntakeId);
        await using var db = cluster.CreateDbContext();
        Assert.Equal(1, await db.IntakeRequests.CountAsync(r => r.IdempotencyKeyHash == command.IdempotencyKeyHash));
    }

    [Fact]
    public async Task Submit_RefusesAndWritesNothing_WhenTheKeyComesWithADifferentForm()
    {
        var command = NewSubmission(withKey: true);
        var grain = cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7());
        await grain.Submit(command);

        var changed = command with { RequestFingerprint = RandomNumberGenerator.GetBytes(32), Pace = Pace.Gentle };
        var result = await grain.Submit(changed);

        Assert.Equal(SubmitIntakeOutcome.KeyReusedForDifferentRequest, result.Outcome);
        await using var db = cluster.CreateDbContext();
        var stored = await db.IntakeRequests.SingleAsync(r => r.IdempotencyKeyHash == command.IdempotencyKeyHash);
        Assert.Equal(Pace.CheckIn1Month, stored.Pace);
    }

    [Fact]
    public async Task Submit_LeavesNoPartialRows_WhenTheTransactionFails()
    {
        // A consent version longer than its column makes the INSERT fail after the client row was queued.
        var command = NewSubmission() with { ConsentVersion = new string('v', 200) };

        await Assert.ThrowsAnyAsync<Exception>(() =>
            cluster.Grains.GetGrain<IIntakeRequestGrain>(Guid.CreateVersion7()).Submit(command));

        await using var db = cluster.CreateDbContext();
        Assert.False(await db.Clients.AnyAsync(c => c.EmailBlindIndex == command.Contact.EmailBlindIndex));
    }

    private static SubmitIntake NewSubmission(bool withKey = false) => Submissions.New(withKey);
}
