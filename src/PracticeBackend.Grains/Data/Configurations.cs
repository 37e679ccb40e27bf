using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Grains.Data;

internal sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.ToTable("clients");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.HasIndex(c => c.EmailBlindIndex).IsUnique();
        builder.Property(c => c.TimeZone).HasMaxLength(IntakeLimits.TimeZoneMaxLength);
        builder.Property(c => c.Pace).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.ContactStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Version).IsRowVersion();
        builder.HasMany(c => c.IntakeRequests).WithOne(r => r.Client).HasForeignKey(r => r.ClientId);
        builder.HasMany(c => c.ConsentRecords).WithOne().HasForeignKey(r => r.ClientId);
    }
}

internal sealed class IntakeRequestConfiguration : IEntityTypeConfiguration<IntakeRequest>
{
    public void Configure(EntityTypeBuilder<IntakeRequest> builder)
    {
        builder.ToTable("intake_requests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Pace).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.PreferredFormat).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => r.IdempotencyKeyHash).IsUnique();
        builder.HasIndex(r => new { r.Status, r.NeedsPromptAttention, r.SubmittedAt });
        builder.Property(r => r.ClosedReason).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.AutomationStoppedReason).HasMaxLength(32);
        builder.Property(r => r.TimeZone).HasMaxLength(IntakeLimits.TimeZoneMaxLength);
        builder.HasIndex(r => r.AssignedTherapistId);
        builder.HasOne<Therapist>().WithMany().HasForeignKey(r => r.AssignedTherapistId);
        builder.HasMany(r => r.Events).WithOne().HasForeignKey(e => e.IntakeRequestId);
        builder.Property(r => r.Version).IsRowVersion();
    }
}

internal sealed class IntakeEventConfiguration : IEntityTypeConfiguration<IntakeEvent>
{
    public void Configure(EntityTypeBuilder<IntakeEvent> builder)
    {
        builder.ToTable("intake_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Detail).HasMaxLength(64);
        builder.HasIndex(e => new { e.IntakeRequestId, e.At });
    }
}

internal sealed class TherapistConfiguration : IEntityTypeConfiguration<Therapist>
{
    public void Configure(EntityTypeBuilder<Therapist> builder)
    {
        builder.ToTable("therapists");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.DisplayName).HasMaxLength(100);
        builder.Property(t => t.TimeZone).HasMaxLength(IntakeLimits.TimeZoneMaxLength);
        builder.PrimitiveCollection(t => t.Formats).ElementType(e => e.HasConversion<string>());
        builder.Property(t => t.Availability).HasColumnType("jsonb");
        builder.Property(t => t.VideoLink).HasMaxLength(500);
        builder.HasIndex(t => t.CalendarFeedTokenHash).IsUnique().HasFilter("calendar_feed_token_hash IS NOT NULL");
        builder.Property(t => t.Version).IsRowVersion();
    }
}

internal sealed class StaffUserConfiguration : IEntityTypeConfiguration<StaffUser>
{
    public void Configure(EntityTypeBuilder<StaffUser> builder)
    {
        builder.HasOne<Therapist>().WithMany().HasForeignKey(u => u.TherapistId);
        builder.HasIndex(u => u.TherapistId).IsUnique();
    }
}

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSession>
{
    public void Configure(EntityTypeBuilder<StaffSession> builder)
    {
        builder.ToTable("staff_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.HasIndex(s => s.UserId);
        builder.HasIndex(s => s.ExpiresAt);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.ActorRole).HasMaxLength(16);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.SubjectType).HasMaxLength(32);
        builder.Property(a => a.RequestId).HasMaxLength(64);
        builder.Property(a => a.Outcome).HasMaxLength(32);
        builder.HasIndex(a => new { a.SubjectId, a.At });
        builder.HasIndex(a => a.At);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.OutcomeReason).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.ServerReply).HasMaxLength(512);
        builder.Property(m => m.StatusReason).HasMaxLength(128);
        builder.Property(m => m.DueRule).HasMaxLength(48);
        builder.HasIndex(m => new { m.Status, m.DueAt });
        builder.HasIndex(m => m.ClientId);
        // One of each automated or transactional kind per request, however often planning runs; for messages
        // an offer leads to (a request may have several offers over time), one of each kind per offer.
        builder.HasIndex(m => new { m.IntakeRequestId, m.Kind })
            .IsUnique()
            .HasFilter("status <> 'Cancelled' AND kind <> 'Personal' AND subject_id IS NULL");
        builder.HasIndex(m => new { m.SubjectId, m.Kind, m.SubjectSequence })
            .IsUnique()
            .AreNullsDistinct(false)
            .HasFilter("status <> 'Cancelled' AND subject_id IS NOT NULL");
        builder.HasOne<Client>().WithMany().HasForeignKey(m => m.ClientId);
        builder.HasOne<IntakeRequest>().WithMany().HasForeignKey(m => m.IntakeRequestId);
    }
}

internal sealed class ContactTokenConfiguration : IEntityTypeConfiguration<ContactToken>
{
    public void Configure(EntityTypeBuilder<ContactToken> builder)
    {
        builder.ToTable("contact_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Purpose).HasMaxLength(16);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.ClientId);
        builder.HasOne<Client>().WithMany().HasForeignKey(t => t.ClientId);
    }
}

internal sealed class ConsentRecordConfiguration : IEntityTypeConfiguration<ConsentRecord>
{
    public void Configure(EntityTypeBuilder<ConsentRecord> builder)
    {
        builder.ToTable("consent_records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Purpose).HasMaxLength(32);
        builder.Property(r => r.TextVersion).HasMaxLength(IntakeLimits.ConsentVersionMaxLength);
        builder.Property(r => r.Source).HasMaxLength(64);
        builder.HasIndex(r => r.ClientId);
        builder.HasOne<IntakeRequest>().WithMany().HasForeignKey(r => r.IntakeRequestId);
    }
}

internal sealed class AppSecretConfiguration : IEntityTypeConfiguration<AppSecret>
{
    public void Configure(EntityTypeBuilder<AppSecret> builder)
    {
        builder.ToTable("app_secrets");
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(64);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder) => builder.ToTable("data_protection_keys");
}

internal sealed class AppointmentConfiguration : IEntityTypeConfiguration<AppointmentRow>
{
    public void Configure(EntityTypeBuilder<AppointmentRow> builder)
    {
        builder.ToTable("appointments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Format).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.CancelReason).HasMaxLength(40);
        builder.HasOne<Therapist>().WithMany().HasForeignKey(a => a.TherapistId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Client>().WithMany().HasForeignKey(a => a.ClientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<IntakeRequest>().WithMany().HasForeignKey(a => a.IntakeRequestId);
        builder.HasIndex(a => new { a.TherapistId, a.StartsAt });
        builder.HasIndex(a => a.ClientId);
        builder.ToTable(t => t.HasCheckConstraint("ck_appointments_ends_after_start", "ends_at > starts_at"));
    }
}


internal sealed class OfferConfiguration : IEntityTypeConfiguration<OfferRow>
{
    public void Configure(EntityTypeBuilder<OfferRow> builder)
    {
        builder.ToTable("offers");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Format).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Therapist>().WithMany().HasForeignKey(o => o.TherapistId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Client>().WithMany().HasForeignKey(o => o.ClientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<IntakeRequest>().WithMany().HasForeignKey(o => o.IntakeRequestId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(o => o.TherapistId);

        // One open offer per request, on any calendar.
        builder.HasIndex(o => o.IntakeRequestId).IsUnique().HasFilter("status = 'Open'").HasDatabaseName("ux_offers_one_open_per_request");

        // What the sweep looks for: open offers by when they lapse, and offers the person has not been told of.
        builder.HasIndex(o => o.LapsesAt).HasFilter("status = 'Open'");
        builder.HasIndex(o => o.UpdatedAt).HasFilter("person_told_at IS NULL");
        builder.ToTable(t => t.HasCheckConstraint("ck_offers_one_to_five_times", "cardinality(starts) BETWEEN 1 AND 5"));
    }
}
