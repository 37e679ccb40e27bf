using System.Net;
using System.Text.RegularExpressions;
using PracticeBackend.Api.Email;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Api.Tests;

/// <summary>Pure rendering: no host, no database. Every kind, pace, close reason, name and wording combination.</summary>
public sealed partial class MessageTemplateTests
{
    private const string RecipientName = "Marisol";
    private const string SignerName = "Dr. Ines Halvorsen";
    private const string PracticeName = "Quiet Harbor Counseling";
    private const string PersonalMarker = "personal-marker-3141";
    private const string CrisisResources =
        "If you are in crisis or thinking about harming yourself, call or text 988 (Suicide & Crisis Lifeline, US), "
        + "or call 911 or go to your nearest emergency room.";

    private static readonly MessageLinks Links = new(
        Stop: new Uri("https://care.example/l/stop/Zq8-Kf2_Lm?via=email&n=1"),
        Pause: new Uri("https://care.example/l/pause/Pa7wQ"),
        ChangePace: new Uri("https://care.example/l/pace/Cp3xR"),
        NotNow: new Uri("https://care.example/l/not-now/Nn4yS"),
        EraseMyData: new Uri("https://care.example/l/erase/Er5zT"));

    private static readonly PracticeWording CalmWording = new(
        AcknowledgementIntro: "Thanks for reaching out; every message here is read by a person.",
        CheckInIntro: "A quiet hello from all of us.",
        ClosingNoteIntro: "One more short note, and then we'll leave it with you.",
        Signature: "With care,");

    public static TheoryData<MessageKind, Pace, CloseReason?, bool, bool> EveryCombination()
    {
        var data = new TheoryData<MessageKind, Pace, CloseReason?, bool, bool>();
        foreach (var kind in Enum.GetValues<MessageKind>())
        {
            CloseReason?[] reasons = kind == MessageKind.Outcome ? [.. Enum.GetValues<CloseReason>().Cast<CloseReason?>()] : [null];
            foreach (var pace in Enum.GetValues<Pace>())
            {
                foreach (var reason in reasons)
                {
                    foreach (var named in new[] { true, false })
                    {
                        foreach (var withWording in new[] { true, false })
                        {
                            data.Add(kind, pace, reason, named, withWording);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_PassesTheToneGuard_InSubjectTextAndHtml(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        Assert.Empty(ToneGuard.Violations(message.Subject));
        Assert.Empty(ToneGuard.Violations(message.Text));
        Assert.Empty(ToneGuard.Violations(VisibleText(message.Html)));
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_KeepsTheSubjectPlainAndPrivate(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        Assert.DoesNotContain("!", message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(RecipientName, message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(PracticeName, message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message.Subject);
        Assert.InRange(message.Subject.Length, 1, 60);
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_CarriesEveryLink_InTextAndHtml(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        foreach (var link in new[] { Links.Stop, Links.Pause, Links.ChangePace, Links.NotNow, Links.EraseMyData })
        {
            Assert.Contains(link.AbsoluteUri, message.Text, StringComparison.Ordinal);
            Assert.Contains($"<a href=\"{WebUtility.HtmlEncode(link.AbsoluteUri)}\">", message.Html, StringComparison.Ordinal);
        }

        Assert.Contains("Stop these emails", message.Text, StringComparison.Ordinal);
        Assert.Contains("Pause these emails", message.Text, StringComparison.Ordinal);
        Assert.Contains("Erase my data", message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_SaysNoNeedToReply_WhenTheMessageIsNotTransactional(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        if (kind.IsNonTransactional() || kind == MessageKind.Acknowledgement)
        {
            Assert.Contains("No need to reply", message.Text, StringComparison.Ordinal);
            Assert.Contains("No need to reply", VisibleText(message.Html), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_ComesFromANamedPerson_AndUsesTheNameOnlyInTheGreeting(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        Assert.Contains(SignerName, message.Text, StringComparison.Ordinal);
        Assert.Contains(PracticeName, message.Text, StringComparison.Ordinal);
        Assert.Contains(SignerName, VisibleText(message.Html), StringComparison.Ordinal);
        Assert.Contains(PracticeName, VisibleText(message.Html), StringComparison.Ordinal);
        if (named)
        {
            Assert.StartsWith($"Hello {RecipientName},", message.Text, StringComparison.Ordinal);
            Assert.Equal(1, Occurrences(message.Text, RecipientName));
            Assert.Equal(1, Occurrences(message.Html, RecipientName));
        }
        else
        {
            Assert.StartsWith("Hello,", message.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_ShowsPersonalBody_OnlyInAPersonalMessage(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var message = MessageTemplates.Render(kind, Model(pace, reason, named, withWording));

        var expected = kind == MessageKind.Personal ? 1 : 0;
        Assert.Equal(expected, Occurrences(message.Text, PersonalMarker));
        Assert.Equal(expected, Occurrences(message.Html, PersonalMarker));
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_WritesSimpleSelfContainedHtml(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var html = MessageTemplates.Render(kind, Model(pace, reason, named, withWording)).Html;

        foreach (var banned in new[] { "<script", "<img", "<link", "<style", "<iframe", "<form", "src=", "url(", "@import", "@font-face", "javascript:" })
        {
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        }

        var allowed = new[] { Links.Stop, Links.Pause, Links.ChangePace, Links.NotNow, Links.EraseMyData }
            .Select(l => WebUtility.HtmlEncode(l.AbsoluteUri))
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(Href().Matches(html), m => Assert.Contains(m.Groups[1].Value, allowed));
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Render_UsesThePracticeWording_WhenGiven(MessageKind kind, Pace pace, CloseReason? reason, bool named, bool withWording)
    {
        var text = MessageTemplates.Render(kind, Model(pace, reason, named, withWording)).Text;

        var intro = kind switch
        {
            MessageKind.Acknowledgement => CalmWording.AcknowledgementIntro,
            MessageKind.GentleCheckIn or MessageKind.ScheduledCheckIn => CalmWording.CheckInIntro,
            MessageKind.ClosingNote => CalmWording.ClosingNoteIntro,
            _ => null,
        };
        if (intro is not null)
        {
            Assert.Equal(withWording, text.Contains(intro, StringComparison.Ordinal));
        }

        Assert.Equal(withWording, text.Contains($"{CalmWording.Signature}\n{SignerName}", StringComparison.Ordinal));
        Assert.Equal(!withWording, text.Contains($"Warmly,\n{SignerName}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Pace.WhenReady, "when you're ready")]
    [InlineData(Pace.Gentle, "gentle check-in")]
    [InlineData(Pace.CheckIn2Weeks, "two weeks")]
    [InlineData(Pace.CheckIn1Month, "a month")]
    [InlineData(Pace.CheckIn3Months, "three months")]
    public void Acknowledgement_SaysWhatHappensNext_AtTheChosenPace_AndWhereToTurnInAnEmergency(Pace pace, string paceWords)
    {
        var message = MessageTemplates.Render(MessageKind.Acknowledgement, Model(pace, null, named: true, withWording: false));

        Assert.Contains("a person from our practice", message.Text, StringComparison.Ordinal);
        Assert.Contains(paceWords, message.Text, StringComparison.Ordinal);
        Assert.Contains("not watched for emergencies", message.Text, StringComparison.Ordinal);
        Assert.Contains(CrisisResources, message.Text, StringComparison.Ordinal);
        Assert.Contains("not watched for emergencies", VisibleText(message.Html), StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(CrisisResources), message.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CloseReason.NoResponse, "closing your request for now")]
    [InlineData(CloseReason.ReferredElsewhere, "another practitioner")]
    [InlineData(CloseReason.NotAFit, "right fit")]
    [InlineData(CloseReason.PersonDeclined, "Thank you for letting us know")]
    [InlineData(CloseReason.Withdrew, "as you asked")]
    public void Outcome_SaysWhatHappened_ForEachCloseReason(CloseReason reason, string words)
    {
        var message = MessageTemplates.Render(MessageKind.Outcome, Model(Pace.Gentle, reason, named: true, withWording: false));

        Assert.Contains(words, message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MessageKind.GentleCheckIn)]
    [InlineData(MessageKind.ScheduledCheckIn)]
    public void CheckIns_PutPauseAndNotNowBesideTheOneOptionalAction(MessageKind kind)
    {
        var html = MessageTemplates.Render(kind, Model(Pace.Gentle, null, named: true, withWording: false)).Html;

        var choices = html.Split("<p>").Single(p => p.Contains("reply to this email", StringComparison.Ordinal));
        Assert.Contains(WebUtility.HtmlEncode(Links.NotNow.AbsoluteUri), choices, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(Links.Pause.AbsoluteUri), choices, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EncodesTheRecipientName_InHtml()
    {
        const string name = "<script>alert('x')</script>";
        var model = Model(Pace.Gentle, null, named: true, withWording: false) with { RecipientName = name };

        foreach (var kind in Enum.GetValues<MessageKind>())
        {
            var html = MessageTemplates.Render(kind, kind == MessageKind.Outcome ? model with { OutcomeReason = CloseReason.NoResponse } : model).Html;

            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(WebUtility.HtmlEncode(name), html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_EncodesEveryConfiguredValue_InHtml()
    {
        var model = Model(Pace.Gentle, null, named: true, withWording: true) with
        {
            SignerName = "Ana <b>Lee</b>",
            PracticeName = "Oak & Elm",
            PersonalBody = "Line <i>one</i>\nline two\n\nSecond paragraph",
        };

        var html = MessageTemplates.Render(MessageKind.Personal, model).Html;

        Assert.Contains("Ana &lt;b&gt;Lee&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Oak &amp; Elm", html, StringComparison.Ordinal);
        Assert.Contains("Line &lt;i&gt;one&lt;/i&gt;<br>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KeepsLineBreaksFromConfiguredNamesOutOfTheSubject()
    {
        var model = Model(Pace.Gentle, null, named: true, withWording: false) with
        {
            SignerName = "Ana\r\nBcc: someone@example.com",
        };

        var subject = MessageTemplates.Render(MessageKind.Personal, model).Subject;

        Assert.DoesNotContain('\r', subject);
        Assert.DoesNotContain('\n', subject);
    }

    [Fact]
    public void Render_Refuses_AnOutcomeWithoutAReason_OrAPersonalMessageWithoutABody()
    {
        Assert.Throws<ArgumentException>(() =>
            MessageTemplates.Render(MessageKind.Outcome, Model(Pace.Gentle, null, named: true, withWording: false)));
        Assert.Throws<ArgumentException>(() =>
            MessageTemplates.Render(MessageKind.Personal, Model(Pace.Gentle, null, named: true, withWording: false) with { PersonalBody = " " }));
    }

    [Fact]
    public void WordingViolations_FlagsPushyPracticeWording()
    {
        var pushy = CalmWording with { CheckInIntro = "Reply by Friday!!" };

        var violations = MessageTemplates.WordingViolations(pushy).ToList();

        Assert.Contains("CheckInIntro: countdown or deadline: \"reply by\"", violations);
        Assert.Contains("CheckInIntro: repeated exclamation marks: \"!!\"", violations);
        Assert.All(violations, v => Assert.StartsWith("CheckInIntro: ", v, StringComparison.Ordinal));
    }

    [Fact]
    public void WordingViolations_PassesCalmPracticeWording()
    {
        Assert.Empty(MessageTemplates.WordingViolations(CalmWording));
        Assert.Empty(MessageTemplates.WordingViolations(new PracticeWording(null, null, null, null)));
    }

    private static MessageModel Model(Pace pace, CloseReason? reason, bool named, bool withWording) => new(
        RecipientName: named ? RecipientName : null,
        SignerName: SignerName,
        PracticeName: PracticeName,
        CrisisResources: CrisisResources,
        Links: Links,
        Pace: pace,
        OutcomeReason: reason,
        PersonalBody: $"I had a look at my week and wanted to say hello. {PersonalMarker}\n\nTake care of yourself.",
        Wording: withWording ? CalmWording : null);

    private static string VisibleText(string html) => WebUtility.HtmlDecode(Tag().Replace(html, " "));

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();
}
