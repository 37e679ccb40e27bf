using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

public sealed class TherapistGrain(IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock) : Grain, ITherapistGrain
{
    public async Task<StaffCommandResult> SaveProfile(SaveTherapistProfile command)
    {
        var id = this.GetPrimaryKey();
        var actor = command.Actor;
        var mayWrite = actor.IsAdmin || (!command.Create && actor.TherapistId == id);
        if (!mayWrite)
        {
            return new StaffCommandResult(command.Create ? StaffCommandOutcome.NotPermitted : StaffCommandOutcome.NotFound);
        }

        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var therapist = await db.Therapists.SingleOrDefaultAsync(t => t.Id == id);
        if (command.Create == therapist is not null)
        {
            return new StaffCommandResult(command.Create ? StaffCommandOutcome.NotAllowedInThisState : StaffCommandOutcome.NotFound);
        }

        if (therapist is null)
        {
            therapist = new Therapist { Id = id, CreatedAt = now };
            db.Therapists.Add(therapist);
        }

        var profile = command.Profile;
        therapist.DisplayName = profile.DisplayName;
        therapist.Specialties = [.. profile.Specialties];
        therapist.Formats = [.. profile.Formats];
        therapist.AcceptingNewClients = profile.AcceptingNewClients;
        therapist.TimeZone = profile.TimeZone;
        therapist.UpdatedAt = now;
        await db.SaveChangesAsync();
        return new StaffCommandResult(StaffCommandOutcome.Done);
    }
}
