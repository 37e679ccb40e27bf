using Microsoft.EntityFrameworkCore;
using Npgsql;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Grains.Tests;

[Collection(GrainCluster.Name)]
public sealed class TherapistGrainTests(GrainClusterFixture cluster)
{
    private static readonly StaffActor Admin = new(Guid.NewGuid(), StaffRoles.Admin, null, "grain-test", false);

    private static TherapistProfile Profile(string name) => new(name, ["grief"], [PreferredFormat.Video], true, "Europe/London");

    [Fact]
    public async Task SaveProfile_CreatesOnce_ThenTheTherapistEditsTheirOwn_AndNoOneElses()
    {
        var id = Guid.CreateVersion7();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(id);
        var self = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, id, "grain-test", false);
        var colleague = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, Guid.NewGuid(), "grain-test", false);

        Assert.Equal(StaffCommandOutcome.Done, (await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. One"), Create: true))).Outcome);
        Assert.Equal(StaffCommandOutcome.NotAllowedInThisState, (await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. Again"), Create: true))).Outcome);
        Assert.Equal(StaffCommandOutcome.Done, (await grain.SaveProfile(new SaveTherapistProfile(self, Profile("Dr. One, PhD"), Create: false))).Outcome);
        Assert.Equal(StaffCommandOutcome.NotFound, (await grain.SaveProfile(new SaveTherapistProfile(colleague, Profile("Hijacked"), Create: false))).Outcome);
        Assert.Equal(StaffCommandOutcome.NotFound, (await cluster.Grains.GetGrain<ITherapistGrain>(Guid.CreateVersion7()).SaveProfile(new SaveTherapistProfile(Admin, Profile("Nobody"), Create: false))).Outcome);

        await using var db = cluster.CreateDbContext();
        Assert.Equal("Dr. One, PhD", (await db.Therapists.SingleAsync(t => t.Id == id)).DisplayName);
    }

    [Fact]
    public async Task SaveProfile_AfterAnotherWriter_RetriesOnItsState_AndWins()
    {
        var id = Guid.CreateVersion7();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(id);
        await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. Two"), Create: true));
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE therapists SET accepting_new_clients = false WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
        }

        var result = await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. Two, again"), Create: false));

        Assert.Equal(StaffCommandOutcome.Done, result.Outcome);
        await using var db = cluster.CreateDbContext();
        var stored = await db.Therapists.SingleAsync(t => t.Id == id);
        Assert.Equal("Dr. Two, again", stored.DisplayName);
        Assert.True(stored.AcceptingNewClients);
    }
    [Fact]
    public async Task SetAvailability_IsHeldAndStored_OnlyTheTherapistOrAnAdminMaySetIt_AndItShapesTheOpenSlots()
    {
        var id = Guid.CreateVersion7();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(id);
        await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. Hours"), Create: true));
        var self = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, id, "grain-test", false);
        var colleague = new StaffActor(Guid.NewGuid(), StaffRoles.Therapist, Guid.NewGuid(), "grain-test", false);
        var week = Week("Europe/London", "09:00", "12:00");

        Assert.Empty((await grain.FindOpenSlots(new FindOpenSlots(Monday, Monday.AddDays(7))))!.Starts);
        Assert.Equal(StaffCommandOutcome.NotFound, (await grain.SetAvailability(new SetAvailability(colleague, week))).Outcome);
        Assert.Equal(StaffCommandOutcome.Done, (await grain.SetAvailability(new SetAvailability(self, week))).Outcome);
        Assert.Equal(StaffCommandOutcome.NotAllowedInThisState, (await grain.SetAvailability(new SetAvailability(self, Week("Europe/London", "12:00", "09:00")))).Outcome);

        Assert.Equal(week.ToJson(), (await grain.GetAvailability())!.ToJson());
        Assert.Equal(3, (await grain.FindOpenSlots(new FindOpenSlots(Monday, Monday.AddDays(1))))!.Starts.Length);
        await using var db = cluster.CreateDbContext();
        var stored = AvailabilityDocument.FromJson((await db.Therapists.SingleAsync(t => t.Id == id)).Availability)!;
        Assert.Equal("09:00", Assert.Single(stored.Weekly).Start);
        Assert.Null(await cluster.Grains.GetGrain<ITherapistGrain>(Guid.CreateVersion7()).FindOpenSlots(new FindOpenSlots(Monday, Monday.AddDays(1))));
    }

    [Fact]
    public async Task SetAvailability_AfterAnotherWriter_RetriesOnItsState_AndKeepsTheirChange()
    {
        var id = Guid.CreateVersion7();
        var grain = cluster.Grains.GetGrain<ITherapistGrain>(id);
        await grain.SaveProfile(new SaveTherapistProfile(Admin, Profile("Dr. Race"), Create: true));
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE therapists SET display_name = 'Dr. Race, LCSW' WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(StaffCommandOutcome.Done, (await grain.SetAvailability(new SetAvailability(Admin, Week("UTC", "10:00", "11:00")))).Outcome);

        await using var db = cluster.CreateDbContext();
        var stored = await db.Therapists.SingleAsync(t => t.Id == id);
        Assert.Equal("Dr. Race, LCSW", stored.DisplayName);
        Assert.Equal("10:00", AvailabilityDocument.FromJson(stored.Availability)!.Weekly.Single().Start);
    }

    /// <summary>Far enough ahead for the notice, inside the window: a Monday.</summary>
    private static DateTimeOffset Monday
    {
        get
        {
            var start = DateTimeOffset.UtcNow.Date.AddDays(7);
            return new DateTimeOffset(start.AddDays(((int)DayOfWeek.Monday - (int)start.DayOfWeek + 7) % 7), TimeSpan.Zero);
        }
    }

    private static AvailabilityDocument Week(string zone, string start, string end) =>
        new(zone, [new WeeklyRangeDocument("monday", start, end)], [], 50, 10, 24, 60, null);
}
