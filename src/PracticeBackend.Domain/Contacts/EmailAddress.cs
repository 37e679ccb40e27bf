using System.Net.Mail;

namespace PracticeBackend.Domain.Contacts;

/// <summary>Email rules shared by the form validator and the blind index.</summary>
public static class EmailAddress
{
    /// <summary>
    /// The form of an address we index and compare: trimmed and lower-cased. We do not strip dots or
    /// "+tags": some providers treat them as different mailboxes, and a wrong merge would show one
    /// person's request under another's record.
    /// </summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }

        var trimmed = email.Trim();
        if (trimmed.Length > Intake.IntakeLimits.EmailMaxLength || trimmed.Any(char.IsWhiteSpace) || trimmed.Any(char.IsControl))
        {
            return false;
        }

        if (!MailAddress.TryCreate(trimmed, out var parsed) || !string.Equals(parsed.Address, trimmed, StringComparison.Ordinal))
        {
            return false;
        }

        var domain = parsed.Host;
        return domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.')
            && !domain.Contains("..", StringComparison.Ordinal);
    }
}
