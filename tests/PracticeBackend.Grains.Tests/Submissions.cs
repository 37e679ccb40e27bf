using System.Security.Cryptography;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.IntakeRequests;

namespace PracticeBackend.Grains.Tests;

/// <summary>
/// What the API passes the grains, with random bytes where it would pass Data Protection output: the
/// grains treat sealed values as opaque.
/// </summary>
internal static class Submissions
{
    public static SubmitIntake New(bool withKey = false, Pace pace = Pace.CheckIn1Month, string timeZone = "Europe/London") => new(
        new SealedContact(
            EmailBlindIndex: RandomNumberGenerator.GetBytes(32),
            EmailSealed: RandomNumberGenerator.GetBytes(48),
            NameSealed: RandomNumberGenerator.GetBytes(40),
            PhoneSealed: null),
        TimeZone: timeZone,
        Pace: pace,
        PreferredFormat: PreferredFormat.Video,
        MessageSealed: RandomNumberGenerator.GetBytes(64),
        NeedsPromptAttention: false,
        ConsentVersion: "2026-11",
        IdempotencyKeyHash: withKey ? RandomNumberGenerator.GetBytes(32) : null,
        RequestFingerprint: RandomNumberGenerator.GetBytes(32));
}
