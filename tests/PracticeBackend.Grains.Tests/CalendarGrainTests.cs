using Microsoft.EntityFrameworkCore;
using Npgsql;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Grains.Tests;

/// <summary>
/// DESIGN invariant 2 at the therapist's grain, against real PostgreSQL: a hundred bookings of one time at
/// once give one appointment; a writer the grain cannot see (a second activation, simulated by SQL that
/// does not touch the therapist's row) is still stopped by the exclusion constraint; every command of the
/// calendar leaves the row as it says.
/// </summary>
[Collection(GrainCluster.Name)]
public sealed class CalendarGrainTests(GrainClusterFixture cluster)
{
    private static readonly StaffActor Admin = new(Guid.NewGuid(), StaffRoles.Admin, null, "grain-test", false);

    /// <summary>14:00 UTC a week or more ahead (inside the 90 days the grain holds, whenever the tests run).</summary>
    private static readonly DateTimeOffset Nine = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(8).AddHours(14);

    [Fact]
    public async Task AHundredBookingsOfOneTimeAtOnce_GiveExactlyOneAppointment()
    {
        var therapist = await TherapistAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ClientAsync()));
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(therapist);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            grain.Book(new BookAppointment(Admin, Guid.CreateVersion7(), clients[i % 5], null, Nine.AddMinutes(i % 3 * 20), SessionFormat.Video))));

        Assert.Single(results, r => r.Outcome == AppointmentOutcome.Done);
        Assert.All(results.Where(r => r.Outcome != AppointmentOutcome.Done), r => Assert.Equal(AppointmentOutcome.Taken, r.Outcome));
        Assert.Equal(1, await ActiveCountAsync(therapist));
    }

    [Fact]
    public async Task AWriterTheGrainCannotSee_IsStillStoppedByTheConstraint()
    {
        var therapist = await TherapistAsync();
        var client = await ClientAsync();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(therapist);
        await grain.GetAvailability(); // the grain is active, its calendar empty in memory

        // Another activation's booking, written behind this one's back (the therapist row untouched, so xmin cannot tell).
        await ExecuteAsync($"""
            INSERT INTO appointments (id, therapist_id, client_id, starts_at, ends_at, format, status, sequence, created_at, updated_at)
            VALUES ('{Guid.CreateVersion7()}', '{therapist}', '{client}', '{Nine.AddMinutes(10):O}', '{Nine.AddMinutes(60):O}', 'Video', 'Confirmed', 0, now(), now())
            """);

        var result = await grain.Book(new BookAppointment(Admin, Guid.CreateVersion7(), client, null, Nine, SessionFormat.Video));

        Assert.Equal(AppointmentOutcome.Taken, result.Outcome);
        Assert.Equal(1, await ActiveCountAsync(therapist));

        // Reloaded, the grain now knows that booking: the buffer after it is kept too.
        Assert.Equal(AppointmentOutcome.Taken, (await grain.Book(new BookAppointment(Admin, Guid.CreateVersion7(), client, null, Nine.AddMinutes(65), SessionFormat.Video))).Outcome);
        Assert.Equal(AppointmentOutcome.Done, (await grain.Book(new BookAppointment(Admin, Guid.CreateVersion7(), client, null, Nine.AddMinutes(70), SessionFormat.Video))).Outcome);
    }

    [Fact]
    public async Task Reschedule_Cancel_Complete_NoShow_LeaveTheRowAsTheySay()
    {
        var therapist = await TherapistAsync();
        var client = await ClientAsync();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(therapist);
        var self = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, therapist, "grain-test", false);
        var colleague = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, Guid.NewGuid(), "grain-test", false);

        var first = (await grain.Book(new BookAppointment(self, Guid.CreateVersion7(), client, null, Nine, SessionFormat.InPerson))).Appointment!;
        var second = (await grain.Book(new BookAppointment(self, Guid.CreateVersion7(), client, null, Nine.AddHours(2), SessionFormat.Video))).Appointment!;
        Assert.Equal(AppointmentOutcome.NotFound, (await grain.Book(new BookAppointment(colleague, Guid.CreateVersion7(), client, null, Nine.AddHours(5), SessionFormat.Video))).Outcome);
        Assert.Equal(Nine.AddMinutes(50), first.End);

        Assert.Equal(AppointmentOutcome.Taken, (await grain.ChangeAppointment(new ChangeAppointment(self, first.AppointmentId, AppointmentChangeKind.Reschedule, Nine.AddHours(2).AddMinutes(30)))).Outcome);
        var moved = (await grain.ChangeAppointment(new ChangeAppointment(self, first.AppointmentId, AppointmentChangeKind.Reschedule, Nine.AddHours(4)))).Appointment!;
        Assert.Equal(Nine.AddHours(4), moved.Start);
        Assert.Equal(1, moved.Sequence);
        Assert.Equal(AppointmentOutcome.Done, (await grain.ChangeAppointment(new ChangeAppointment(self, second.AppointmentId, AppointmentChangeKind.Cancel, Reason: "therapist-unavailable"))).Outcome);
        Assert.Equal(AppointmentOutcome.NotInThisState, (await grain.ChangeAppointment(new ChangeAppointment(self, second.AppointmentId, AppointmentChangeKind.Reschedule, Nine))).Outcome);
        // A session is missed only once it has begun; then it can no longer be cancelled.
        Assert.Equal(AppointmentOutcome.NotInThisState, (await grain.ChangeAppointment(new ChangeAppointment(self, first.AppointmentId, AppointmentChangeKind.NoShow))).Outcome);
        var past = (await grain.Book(new BookAppointment(self, Guid.CreateVersion7(), client, null, Nine.AddDays(-10), SessionFormat.Video))).Appointment!;
        Assert.Equal(AppointmentOutcome.Done, (await grain.ChangeAppointment(new ChangeAppointment(self, past.AppointmentId, AppointmentChangeKind.NoShow))).Outcome);
        Assert.Equal(AppointmentOutcome.NotInThisState, (await grain.ChangeAppointment(new ChangeAppointment(self, past.AppointmentId, AppointmentChangeKind.Cancel, Reason: "other"))).Outcome);

        // The cancelled time is free again.
        Assert.Equal(AppointmentOutcome.Done, (await grain.Book(new BookAppointment(self, Guid.CreateVersion7(), client, null, Nine.AddHours(2), SessionFormat.Video))).Outcome);

        await using var db = cluster.CreateDbContext();
        var rows = await db.Appointments.Where(a => a.TherapistId == therapist).ToListAsync();
        Assert.Equal(AppointmentStatus.NoShow, rows.Single(a => a.Id == past.AppointmentId).Status);
        Assert.Equal(AppointmentStatus.Confirmed, rows.Single(a => a.Id == first.AppointmentId).Status);
        var cancelled = rows.Single(a => a.Id == second.AppointmentId);
        Assert.Equal((AppointmentStatus.Cancelled, "therapist-unavailable", 1), (cancelled.Status, cancelled.CancelReason, cancelled.Sequence));
    }

    private async Task<Guid> TherapistAsync()
    {
        var id = Guid.CreateVersion7();
        var profile = new TherapistProfile("Dr. Calendar", [], [PreferredFormat.Video], true, "America/New_York");
        Assert.Equal(StaffCommandOutcome.Done, (await cluster.Grains.GetGrain<ITherapistGrain>(id).SaveProfile(new SaveTherapistProfile(Admin, profile, Create: true))).Outcome);
        return id;
    }

    private async Task<Guid> ClientAsync()
    {
        var intakeId = Guid.CreateVersion7();
        await cluster.Grains.GetGrain<IIntakeRequestGrain>(intakeId).Submit(Submissions.New());
        await using var db = cluster.CreateDbContext();
        return (await db.IntakeRequests.SingleAsync(r => r.Id == intakeId)).ClientId;
    }

    private async Task<long> ActiveCountAsync(Guid therapist)
    {
        await using var db = cluster.CreateDbContext();
        return await db.Appointments.LongCountAsync(a => a.TherapistId == therapist && a.Status != AppointmentStatus.Cancelled);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
