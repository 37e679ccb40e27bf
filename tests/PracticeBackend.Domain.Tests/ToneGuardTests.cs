using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Domain.Tests;

public sealed class ToneGuardTests
{
    [Theory]
    [InlineData("This is urgent.", "urgent")]
    [InlineData("Please act now to keep your place.", "act now")]
    [InlineData("Hurry, we'd love to see you.", "hurry")]
    [InlineData("There's no hurry.", "hurry")]
    [InlineData("Please write back right away.", "right away")]
    [InlineData("Book immediately.", "immediately")]
    [InlineData("Reply as soon as possible.", "as soon as possible")]
    [InlineData("Let us know ASAP.", "asap")]
    [InlineData("Don\u2019t wait to get the support you deserve.", "don't wait")]
    [InlineData("Dont wait.", "don't wait")]
    [InlineData("Reach out before it's too late.", "before it's too late")]
    [InlineData("This offer is time sensitive.", "time-sensitive")]
    [InlineData("This offer is time\u2011sensitive.", "time-sensitive")]
    public void Violations_FlagsUrgency(string text, string phrase) =>
        Assert.Contains($"urgency: \"{phrase}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("This is your last chance to book.", "last chance")]
    [InlineData("We have limited spots this autumn.", "limited spots")]
    [InlineData("Few spots left!", "spots left")]
    [InlineData("Our spots are filling up.", "spots are filling")]
    [InlineData("Evenings are filling up fast.", "filling up fast")]
    [InlineData("Grab the last spot on Tuesday.", "last spot")]
    [InlineData("Don't miss this.", "don't miss")]
    [InlineData("We'd hate for you to miss out.", "miss out")]
    public void Violations_FlagsScarcity(string text, string phrase) =>
        Assert.Contains($"scarcity: \"{phrase}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("We have only 3 spots this month.", "only 3 spots")]
    [InlineData("There are only two left.", "only two left")]
    [InlineData("Only twelve openings remain.", "only twelve openings")]
    [InlineData("Only a few more slots this week.", "only a few more slots")]
    [InlineData("only 1 opening", "only 1 opening")]
    public void Violations_FlagsOnlyNLeft_WithAnyNumberInDigitsOrWords(string text, string match) =>
        Assert.Contains($"scarcity: \"{match}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("Why haven't you booked yet?", "why haven't you")]
    [InlineData("You haven\u2019t replied.", "you haven't")]
    [InlineData("We haven't heard from you.", "we haven't heard")]
    [InlineData("We're still waiting.", "still waiting")]
    [InlineData("It looks like you forgot about us.", "you forgot")]
    [InlineData("You missed our last email.", "you missed")]
    [InlineData("We were disappointed.", "disappointed")]
    [InlineData("You should have written sooner.", "you should have")]
    public void Violations_FlagsGuilt(string text, string phrase) =>
        Assert.Contains($"guilt: \"{phrase}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("The deadline is Friday.", "deadline")]
    [InlineData("Your hold expires tonight.", "expires")]
    [InlineData("Your hold is expiring.", "expiring")]
    [InlineData("Intake ends soon.", "ends soon")]
    [InlineData("Registration is ending soon.", "ending soon")]
    [InlineData("48 hours left to choose.", "hours left")]
    [InlineData("Two days left.", "days left")]
    [InlineData("The countdown has started.", "countdown")]
    [InlineData("Time is running out.", "running out")]
    [InlineData("This is a final reminder.", "final reminder")]
    [InlineData("Final notice about your request.", "final notice")]
    [InlineData("Please respond by Monday.", "respond by")]
    [InlineData("Reply by Friday.", "reply by")]
    public void Violations_FlagsCountdownsAndDeadlines(string text, string phrase) =>
        Assert.Contains($"countdown or deadline: \"{phrase}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("We'd love to hear from you!!", "!!")]
    [InlineData("Hello!!!", "!!!")]
    [InlineData("Hello\u203C", "!!")]
    public void Violations_FlagsRunsOfExclamationMarks(string text, string run) =>
        Assert.Contains($"repeated exclamation marks: \"{run}\"", ToneGuard.Violations(text));

    [Fact]
    public void Violations_AllowsASingleExclamationMark() =>
        Assert.Empty(ToneGuard.Violations("Thank you for writing to us!"));

    [Theory]
    [InlineData("Please READ this.", "READ")]
    [InlineData("This is IMPORTANT for you.", "IMPORTANT")]
    [InlineData("DON'T forget.", "DON")]
    public void Violations_FlagsShoutedWords(string text, string word) =>
        Assert.Contains($"shouting (a word in capitals): \"{word}\"", ToneGuard.Violations(text));

    [Theory]
    [InlineData("The invite is attached as an ICS file.")]
    [InlineData("A PDF of our fees is on the website.")]
    [InlineData("I hope you're OK.")]
    [InlineData("We're in the US and I'm Sam.")]
    public void Violations_LetsShortCapitalsAndTheAllowListThrough(string text) =>
        Assert.Empty(ToneGuard.Violations(text));

    [Theory]
    [InlineData("Whenever you're ready, we're here.")]
    [InlineData("No need to reply.")]
    [InlineData("Just checking in. No need to reply; whenever you're ready, we're here.")]
    [InlineData("We won't write again unless you do. The door stays open.")]
    [InlineData("Thank you for letting us know.")]
    [InlineData("If you'd like to talk, reply to this email and we'll write back.")]
    [InlineData("")]
    [InlineData("   ")]
    public void Violations_IsEmpty_WhenTheTextIsCalm(string text) =>
        Assert.Empty(ToneGuard.Violations(text));

    [Theory]
    [InlineData("We offer unlimited spots for reading our articles.")]
    [InlineData("No hurrying here.")]
    [InlineData("Our urgentcare partner is nearby.")]
    [InlineData("The asaps were many.")]
    [InlineData("You have a choice, and you have time.")]
    [InlineData("Those were the only 3 of us.")]
    [InlineData("The only one who decides is you.")]
    public void Violations_MatchesWholeWordsOnly(string text) =>
        Assert.Empty(ToneGuard.Violations(text));

    [Fact]
    public void Violations_MatchesOnWordBoundaries_WhenThePhraseIsPresent()
    {
        Assert.NotEmpty(ToneGuard.Violations("We have limited spots."));
        Assert.Empty(ToneGuard.Violations("We have unlimited spots."));
        Assert.NotEmpty(ToneGuard.Violations("Hurry."));
        Assert.Empty(ToneGuard.Violations("Hurrying."));
    }

    [Fact]
    public void Violations_IgnoresLinkAddresses_BecauseTheyAreNotProse()
    {
        const string text = "Pause these emails: https://care.example/l/pause/ABC-act-now_XYZ!!?t=URGENT";

        Assert.Empty(ToneGuard.Violations(text));
    }

    [Fact]
    public void Violations_NamesEachProblemOnce()
    {
        var violations = ToneGuard.Violations("Act now!! ACT NOW!! Act now.");

        Assert.Equal(violations.Distinct().Count(), violations.Count);
        Assert.Contains("urgency: \"act now\"", violations);
        Assert.Contains("repeated exclamation marks: \"!!\"", violations);
        Assert.Contains("shouting (a word in capitals): \"ACT\"", violations);
        Assert.Contains("shouting (a word in capitals): \"NOW\"", violations);
    }

    [Fact]
    public void PressurePhrases_AreLowerCaseAndUnique_SoThatMatchingIsPredictable()
    {
        Assert.All(ToneGuard.PressurePhrases, p => Assert.Equal(p.ToLowerInvariant(), p));
        Assert.Equal(ToneGuard.PressurePhrases.Count, ToneGuard.PressurePhrases.Distinct().Count());
    }

    [Fact]
    public void PressurePhrases_AreEachFlaggedOnTheirOwn()
    {
        Assert.All(ToneGuard.PressurePhrases, p => Assert.NotEmpty(ToneGuard.Violations($"Well, {p}, then.")));
    }
}
