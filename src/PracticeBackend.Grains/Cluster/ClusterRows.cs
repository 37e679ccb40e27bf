using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PracticeBackend.Grains.Cluster;

/// <summary>
/// One row per Orleans cluster: the membership table's version. Every change to a member row bumps it
/// in the same transaction, and only when the caller's <see cref="Etag"/> still matches (ADR 0017).
/// Written only by <see cref="PostgresMembershipTable"/>.
/// </summary>
public sealed class ClusterVersionRow
{
    public string ClusterId { get; set; } = "";

    public int Version { get; set; }

    /// <summary>Fresh on every bump: a stale reader's expected value no longer matches.</summary>
    public Guid Etag { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>One silo of a cluster, as Orleans' membership protocol describes it. Ids, host names and times only.</summary>
public sealed class ClusterMemberRow
{
    public string ClusterId { get; set; } = "";

    public string Address { get; set; } = "";

    public int Port { get; set; }

    public int Generation { get; set; }

    public string SiloName { get; set; } = "";

    public string HostName { get; set; } = "";

    public string? RoleName { get; set; }

    public int Status { get; set; }

    public int ProxyPort { get; set; }

    public int UpdateZone { get; set; }

    public int FaultZone { get; set; }

    /// <summary>
    /// Other silos' suspicions of this one (votes to declare it dead), in the text <see cref="SuspectTimes"/> writes
    /// and reads (<c>10.0.0.7:11111@123456,2026-12-02T10:00:20.1234567Z</c> entries joined by "|"); empty when there are none.
    /// </summary>
    public string SuspectTimes { get; set; } = "";

    public DateTimeOffset StartTime { get; set; }

    public DateTimeOffset IAmAliveTime { get; set; }

    /// <summary>Changes with every full update of the row, never with a heartbeat.</summary>
    public Guid Etag { get; set; }
}

internal sealed class ClusterVersionConfiguration : IEntityTypeConfiguration<ClusterVersionRow>
{
    public void Configure(EntityTypeBuilder<ClusterVersionRow> builder)
    {
        builder.ToTable("cluster_versions");
        builder.HasKey(v => v.ClusterId);
        builder.Property(v => v.ClusterId).HasMaxLength(200);
    }
}

internal sealed class ClusterMemberConfiguration : IEntityTypeConfiguration<ClusterMemberRow>
{
    public void Configure(EntityTypeBuilder<ClusterMemberRow> builder)
    {
        builder.ToTable("cluster_members");
        builder.HasKey(m => new { m.ClusterId, m.Address, m.Port, m.Generation });
        builder.Property(m => m.ClusterId).HasMaxLength(200);
        builder.Property(m => m.Address).HasMaxLength(64);
        builder.Property(m => m.SiloName).HasMaxLength(200);
        builder.Property(m => m.HostName).HasMaxLength(200);
        builder.Property(m => m.RoleName).HasMaxLength(200);
        builder.Property(m => m.IAmAliveTime).HasColumnName("i_am_alive_time");
        builder.HasOne<ClusterVersionRow>().WithMany().HasForeignKey(m => m.ClusterId).OnDelete(DeleteBehavior.Cascade);
    }
}
