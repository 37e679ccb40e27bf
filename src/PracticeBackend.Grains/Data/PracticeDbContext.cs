using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace PracticeBackend.Grains.Data;

/// <summary>The one source of truth (ADR 0001). Grains write through it; dashboard queries read it.</summary>
public sealed class PracticeDbContext(DbContextOptions<PracticeDbContext> options)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Client> Clients => Set<Client>();

    public DbSet<IntakeRequest> IntakeRequests => Set<IntakeRequest>();

    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();

    public DbSet<AppSecret> AppSecrets => Set<AppSecret>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PracticeDbContext).Assembly);
}
