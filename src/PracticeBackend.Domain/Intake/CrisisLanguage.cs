using System.Text;

namespace PracticeBackend.Domain.Intake;

/// <summary>
/// Spots intake text that may describe an emergency, so that a human sees that request first.
/// It never answers anyone by itself: a flag only changes the order of the staff queue.
/// The list is deliberately short and literal (see docs/crisis-phrases.md for why and how to extend it);
/// a false positive costs a human a minute, a false negative is what the queue order guards against.
/// </summary>
public static class CrisisLanguage
{
    /// <summary>Lower-case phrases matched on word boundaries after normalising whitespace and apostrophes.</summary>
    public static readonly IReadOnlyList<string> Phrases =
    [
        "suicide",
        "suicidal",
        "kill myself",
        "killing myself",
        "end my life",
        "ending my life",
        "take my own life",
        "want to die",
        "wanna die",
        "better off dead",
        "no reason to live",
        "not want to be alive",
        "don't want to be alive",
        "don't want to live",
        "hurt myself",
        "hurting myself",
        "harm myself",
        "self-harm",
        "self harm",
        "cutting myself",
        "overdose",
        "overdosed",
        "overdosing",
        "hurt someone",
        "kill someone",
        "being abused",
        "not safe at home",
        "in danger",
    ];

    public static bool Detect(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var normalized = Normalize(text);
        foreach (var phrase in Phrases)
        {
            var at = normalized.IndexOf(phrase, StringComparison.Ordinal);
            while (at >= 0)
            {
                if (IsBoundary(normalized, at - 1) && IsBoundary(normalized, at + phrase.Length))
                {
                    return true;
                }

                at = normalized.IndexOf(phrase, at + 1, StringComparison.Ordinal);
            }
        }

        return false;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !char.IsLetterOrDigit(text[index]);

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var lastWasSpace = false;
        foreach (var raw in text)
        {
            var c = raw switch
            {
                '\u2019' or '\u2018' or '`' => '\'',
                '\u2010' or '\u2011' or '\u2013' => '-',
                _ => char.ToLowerInvariant(raw),
            };
            if (char.IsWhiteSpace(c))
            {
                if (!lastWasSpace)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            builder.Append(c);
            lastWasSpace = false;
        }

        return builder.ToString();
    }
}
