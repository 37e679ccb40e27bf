using PracticeBackend.Domain.Text;

namespace PracticeBackend.Domain.Intake;

/// <summary>
/// Spots intake text that may describe an emergency, so that a human sees that request first.
/// It never answers anyone by itself: a flag only changes the order of the staff queue.
/// The list is deliberately short and literal (see docs/crisis-phrases.md for why and how to extend it);
/// a false positive costs a human a minute, a false negative is what the queue order guards against.
/// </summary>
public static class CrisisLanguage
{
    /// <summary>Lower-case phrases matched on word boundaries after <see cref="PhraseMatching.Normalize"/> (apostrophes dropped, dashes as spaces).</summary>
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

    private static readonly string[] NormalizedPhrases = [.. Phrases.Select(PhraseMatching.Normalize).Distinct()];

    public static bool Detect(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var normalized = PhraseMatching.Normalize(text);
        return NormalizedPhrases.Any(phrase => PhraseMatching.ContainsOnWordBoundaries(normalized, phrase));
    }
}
