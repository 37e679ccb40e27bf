using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Tests;

public sealed class CrisisLanguageTests
{
    [Theory]
    [InlineData("Lately I've had suicidal thoughts.")]
    [InlineData("I don\u2019t want to be alive some days")]
    [InlineData("I think about ENDING MY LIFE")]
    [InlineData("sometimes i want to   die")]
    [InlineData("I have been hurting myself again")]
    [InlineData("history of self\u2011harm")]
    [InlineData("I'm not safe at home")]
    [InlineData("I overdosed last year")]
    [InlineData("Everyone would be better off dead\nwithout me")]
    public void Detect_FlagsTheMessage_WhenItHoldsCrisisLanguage(string message) =>
        Assert.True(CrisisLanguage.Detect(message));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("I pull away when people get close and I'd like to understand why.")]
    [InlineData("My partner says I shut down during conflict.")]
    [InlineData("Is there parking near the office? I'd prefer evenings.")]
    [InlineData("I read your article on avoidant attachment and it felt familiar.")]
    public void Detect_LeavesTheMessageUnflagged_WhenItIsOrdinary(string? message) =>
        Assert.False(CrisisLanguage.Detect(message));

    [Fact]
    public void Detect_MatchesWholeWordsOnly()
    {
        Assert.False(CrisisLanguage.Detect("endangered species documentaries calm me"));
        Assert.True(CrisisLanguage.Detect("I feel like I'm in danger."));
    }

    [Fact]
    public void Phrases_AreLowerCaseAndUnique_SoThatMatchingIsPredictable()
    {
        Assert.All(CrisisLanguage.Phrases, p => Assert.Equal(p.ToLowerInvariant(), p));
        Assert.Equal(CrisisLanguage.Phrases.Count, CrisisLanguage.Phrases.Distinct().Count());
    }
}
