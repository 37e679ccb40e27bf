using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Domain.Tests;

/// <summary>A message that could not reach the mail server: tried again after growing pauses, for three days, then given up (staff see it).</summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset First = new(2026, 6, 5, 17, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 15)]
    [InlineData(4, 30)]
    [InlineData(5, 60)]
    [InlineData(6, 120)]
    [InlineData(40, 120)]
    public void PausesGrowToTwoHours(int attempts, int minutes)
    {
        var now = First.AddHours(1);
        Assert.Equal(now.AddMinutes(minutes), RetryPolicy.NextAttempt(attempts, First, now));
    }

    [Fact]
    public void AMailServerDownOverAWeekend_StillGetsTheMessageOnMonday()
    {
        var mondayMorning = First.AddDays(2).AddHours(16);
        Assert.NotNull(RetryPolicy.NextAttempt(30, First, mondayMorning));
    }

    [Fact]
    public void ThreeDaysAfterTheFirstTry_ItGivesUp()
    {
        Assert.NotNull(RetryPolicy.NextAttempt(36, First, First + RetryPolicy.Budget - TimeSpan.FromMinutes(1)));
        Assert.Null(RetryPolicy.NextAttempt(37, First, First + RetryPolicy.Budget));
    }
}
