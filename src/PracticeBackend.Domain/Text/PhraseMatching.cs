using System.Text;

namespace PracticeBackend.Domain.Text;

/// <summary>
/// Literal phrase matching shared by the crisis-language flag and the tone guard: both must be
/// predictable enough for a clinician to read the list and know what matches.
/// </summary>
public static class PhraseMatching
{
    /// <summary>Lower-case; apostrophes (straight or curly) dropped so "don’t", "don't" and "dont" agree; dashes become spaces; whitespace collapsed.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var lastWasSpace = true;
        foreach (var raw in text)
        {
            if (raw is '\'' or '\u2019' or '\u2018' or '\u02BC' or '`' or '\u00B4' or '\u2032')
            {
                continue;
            }

            var c = raw is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' ? ' ' : char.ToLowerInvariant(raw);
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

        return builder.ToString().TrimEnd();
    }

    /// <summary>Whether <paramref name="phrase"/> stands in <paramref name="text"/> as whole words (both already normalised).</summary>
    public static bool ContainsOnWordBoundaries(string text, string phrase)
    {
        var at = text.IndexOf(phrase, StringComparison.Ordinal);
        while (at >= 0)
        {
            if (IsBoundary(text, at - 1) && IsBoundary(text, at + phrase.Length))
            {
                return true;
            }

            at = text.IndexOf(phrase, at + 1, StringComparison.Ordinal);
        }

        return false;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !char.IsLetterOrDigit(text[index]);
}
