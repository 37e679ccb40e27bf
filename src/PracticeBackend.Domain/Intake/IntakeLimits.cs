namespace PracticeBackend.Domain.Intake;

/// <summary>The public form's limits, in one place for the validator, the database and the tests.</summary>
public static class IntakeLimits
{
    public const int NameMaxLength = 100;
    public const int EmailMaxLength = 254;
    public const int PhoneMaxLength = 32;
    public const int MessageMaxLength = 4000;
    public const int ConsentVersionMaxLength = 32;
    public const int TimeZoneMaxLength = 64;

    /// <summary>The whole request body; anything larger is refused with 413 before it is read.</summary>
    public const int BodyMaxBytes = 64 * 1024;
}
