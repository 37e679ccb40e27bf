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
}
