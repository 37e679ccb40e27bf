using System.Text.RegularExpressions;
using PracticeBackend.Domain.Text;

namespace PracticeBackend.Domain.Messages;

/// <summary>
/// Says whether a piece of text pushes. The people who write to a practice often pull back when pushed
/// (DESIGN.md invariant 5, "Never pressure"), so every template, and every sentence a practice writes in
/// its own words, must pass this guard. It is deliberately literal: it does not try to understand negation
/// ("there's no hurry" is flagged like "hurry"), because a calm sentence can always be written without
/// these words, and a predictable guard is easier to trust than a clever one. See docs/tone-guard.md.
/// </summary>
public static partial class ToneGuard
{
    // The whole list lives here, in one file, on purpose: it is the single place a reviewer (or a clinician)
    // reads to know what our messages will never say, and the single place to change it. Entries are lower-case
    // and matched case-insensitively on word boundaries, after straightening apostrophes and treating hyphens
    // as spaces (so "time sensitive", "time-sensitive" and "Time‑Sensitive" are one entry). Only the listed
    // word forms match: "hurry" does not catch "hurrying"; add a form as its own entry when it is worth catching.
    private static readonly Rule[] Rules =
    [
        .. Category("urgency",
            "urgent", "urgently", "act now", "act fast", "hurry", "right away", "immediately",
            "as soon as possible", "asap", "don't wait", "don't delay", "before it's too late", "time-sensitive"),
        .. Category("scarcity",
            "last chance", "limited spots", "spots left", "spots are filling", "filling up fast", "last spot",
            "don't miss", "miss out"),
        .. Category("guilt",
            "why haven't you", "you haven't", "we haven't heard", "still waiting", "you forgot", "you missed",
            "disappointed", "you should have"),
        .. Category("countdown or deadline",
            "deadline", "expires", "expiring", "ends soon", "ending soon", "hours left", "days left",
            "hours remaining", "days remaining", "countdown", "running out", "final reminder", "final notice",
            "respond by", "reply by"),
    ];

    /// <summary>
    /// Words of three or more letters that may be written in capitals without counting as shouting.
    /// Kept tiny: each entry is a file type or an abbreviation a message might need to name.
    /// </summary>
    public static IReadOnlyList<string> AllowedCapitalisedWords { get; } = ["ICS", "PDF"];

    /// <summary>Every listed phrase, lower-case, as written in the rules (apostrophes and hyphens included).</summary>
    public static IReadOnlyList<string> PressurePhrases { get; } = Rules.Select(r => r.Phrase).ToArray();

    /// <summary>Human-readable reasons the text pushes, each once, in rule order; empty when the text is calm.</summary>
    public static IReadOnlyList<string> Violations(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        // Addresses are not prose: a random link token must never read as a shouted word or a phrase.
        var prose = Addresses().Replace(text.Replace("\u203C", "!!", StringComparison.Ordinal), " ");
        var words = PhraseMatching.Normalize(prose);
        var reasons = new List<string>();

        foreach (var rule in Rules)
        {
            if (PhraseMatching.ContainsOnWordBoundaries(words, rule.Key))
            {
                reasons.Add($"{rule.Category}: \"{rule.Phrase}\"");
            }
        }

        foreach (Match match in OnlyNLeft().Matches(words))
        {
            reasons.Add($"scarcity: \"{match.Value}\"");
        }

        foreach (Match match in ExclamationRun().Matches(prose))
        {
            reasons.Add($"repeated exclamation marks: \"{match.Value}\"");
        }

        foreach (Match match in CapitalisedWord().Matches(prose))
        {
            if (!AllowedCapitalisedWords.Contains(match.Value, StringComparer.Ordinal))
            {
                reasons.Add($"shouting (a word in capitals): \"{match.Value}\"");
            }
        }

        return reasons.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static IEnumerable<Rule> Category(string category, params string[] phrases) =>
        phrases.Select(p => new Rule(category, p, PhraseMatching.Normalize(p)));

    // "only 3 spots", "only two left", "only a few more openings": any number, in digits or words.
    [GeneratedRegex(
        @"\bonly (?:\d+|a few|a couple(?: of)?|a handful of|few|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)(?: more| remaining| open| available)? (?:left|spots?|openings?|places?|slots?|seats?|spaces?)\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex OnlyNLeft();

    [GeneratedRegex("!{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex ExclamationRun();

    [GeneratedRegex(@"\b\p{Lu}{3,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex CapitalisedWord();

    [GeneratedRegex(@"(?:https?://|mailto:|www\.)\S+|[^\s@<>]+@[^\s@<>]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Addresses();

    private sealed record Rule(string Category, string Phrase, string Key);
}
