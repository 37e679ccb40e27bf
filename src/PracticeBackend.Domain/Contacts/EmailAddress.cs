using System.Globalization;
using System.Net.Mail;

namespace PracticeBackend.Domain.Contacts;

/// <summary>Email rules shared by the form validator and the blind index.</summary>
public static class EmailAddress
{
    private const int MaxDomainLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>
    /// The form of an address we index and compare: trimmed and lower-cased. We do not strip dots or
    /// "+tags": some providers treat them as different mailboxes, and a wrong merge would show one
    /// person's request under another's record.
    /// </summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// An address we can write to: a plain local part (no quotes) at a DNS host name. IP literals
    /// ("a@[127.0.0.1]") and odd host names ("a@-example.org") are refused: mail to them reaches no
    /// one we mean to write to, or reaches machines we never meant to contact.
    /// </summary>
    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }

        var trimmed = email.Trim();
        if (trimmed.Length > Intake.IntakeLimits.EmailMaxLength || trimmed.Any(char.IsWhiteSpace) || trimmed.Any(char.IsControl)
            || trimmed.Contains('"', StringComparison.Ordinal))
        {
            return false;
        }

        return MailAddress.TryCreate(trimmed, out var parsed)
            && string.Equals(parsed.Address, trimmed, StringComparison.Ordinal)
            && IsHostName(parsed.Host);
    }

    /// <summary>Dot-separated labels of letters (any script), digits and inner hyphens; the last label not all digits.</summary>
    private static bool IsHostName(string domain)
    {
        if (domain.Length > MaxDomainLength)
        {
            return false;
        }

        var labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(IsLabel)
            && !labels[^1].All(char.IsAsciiDigit);
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= MaxLabelLength
        && label[0] != '-'
        && label[^1] != '-'
        && label.All(c => c == '-' || char.IsLetterOrDigit(c) || IsCombiningMark(c));

    // Scripts such as Devanagari write vowels as combining marks; a domain in them needs these.
    private static bool IsCombiningMark(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
