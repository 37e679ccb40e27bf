using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PracticeBackend.Grains.Data;

public static class DbErrors
{
    /// <summary>The constraint named in a unique violation (23505), or null for any other failure.</summary>
    public static string? UniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres
            ? postgres.ConstraintName
            : null;

    /// <summary>The exclusion constraint that refused a write (two active appointments of one therapist at once), or null.</summary>
    public static string? ExclusionViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation } postgres
            ? postgres.ConstraintName
            : null;
}
