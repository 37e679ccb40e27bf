using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace PracticeBackend.Grains.Data;

/// <summary>The one source of truth (ADR 0001). Grains write through it; dashboard queries read it.</summary>
public sealed class PracticeDbContext(DbContextOptions<PracticeDbContext> options)
    : IdentityDbContext<StaffUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Client> Clients => Set<Client>();

    public DbSet<IntakeRequest> IntakeRequests => Set<IntakeRequest>();

    public DbSet<AppointmentRow> Appointments => Set<AppointmentRow>();

    public DbSet<OfferRow> Offers => Set<OfferRow>();

    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();

    public DbSet<AppSecret> AppSecrets => Set<AppSecret>();

    public DbSet<IntakeEvent> IntakeEvents => Set<IntakeEvent>();

    public DbSet<Therapist> Therapists => Set<Therapist>();

    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<ContactToken> ContactTokens => Set<ContactToken>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Cluster.ClusterVersionRow> ClusterVersions => Set<Cluster.ClusterVersionRow>();

    public DbSet<Cluster.ClusterMemberRow> ClusterMembers => Set<Cluster.ClusterMemberRow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PracticeDbContext).Assembly);
    }
}
