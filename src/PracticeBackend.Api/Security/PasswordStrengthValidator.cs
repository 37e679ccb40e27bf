using Microsoft.AspNetCore.Identity;
using PracticeBackend.Grains.Data;
using Zxcvbn.Matcher;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Refuses passwords an attacker would try early: common passwords, keyboard rows, dates, the
/// person's own email. zxcvbn estimates how many guesses a password would take, from its own
/// frequency lists plus the person's email and the parts of it; below a score of 3 (of 4) it is refused.
/// The reason given names the kind of weakness, never the password.
/// </summary>
internal sealed class PasswordStrengthValidator : IPasswordValidator<StaffUser>
{
    public const string ErrorCode = "PasswordTooWeak";
    public const int MinimumScore = 3;

    // zxcvbn's matching grows much faster than the length (5,000 characters take minutes); the
    // first 100 characters are what decide how guessable a password is.
    private const int EvaluatedLength = 100;

    private const string Advice =
        "A few unrelated words together, for example four picked at random, make a passphrase that is strong and easy to remember.";

    public Task<IdentityResult> ValidateAsync(UserManager<StaffUser> manager, StaffUser user, string? password)
    {
        // Too short is the length rule's to say; two messages about one password would only confuse.
        if (string.IsNullOrEmpty(password) || password.Length < manager.Options.Password.RequiredLength)
        {
            return Task.FromResult(IdentityResult.Success);
        }

        var estimate = Zxcvbn.Zxcvbn.MatchPassword(password[..Math.Min(password.Length, EvaluatedLength)], PersonalWords(user));
        return Task.FromResult(estimate.Score >= MinimumScore
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError
            {
                Code = ErrorCode,
                Description = $"This password would be easy to guess. {Reason(estimate.MatchSequence)} {Advice}".Replace("  ", " ", StringComparison.Ordinal),
            }));
    }

    /// <summary>The email, its local part and domain, and the words in them ("sam.lee@clinic.org" → sam, lee, clinic).</summary>
    private static IEnumerable<string> PersonalWords(StaffUser user)
    {
        var email = (user.Email ?? user.UserName ?? "").Trim().ToLowerInvariant();
        var at = email.LastIndexOf('@');
        var local = at < 0 ? email : email[..at];
        var domainLabels = at < 0 ? [] : email[(at + 1)..].Split('.')[..^1];
        var words = local.Split(['.', '_', '-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], StringSplitOptions.RemoveEmptyEntries);
        return new[] { email, local }.Concat(domainLabels).Concat(words).Where(w => w.Length >= 3).Distinct();
    }

    private static string Reason(IEnumerable<Zxcvbn.Match> matches)
    {
        var known = matches.Where(m => m.Pattern != "bruteforce").ToList();
        if (known.OfType<DictionaryMatch>().Any(m => m.DictionaryName == "user_inputs"))
        {
            return "It is made from your email address.";
        }

        var widest = known.OrderByDescending(m => m.j - m.i).FirstOrDefault();
        return widest switch
        {
            DictionaryMatch { DictionaryName: "passwords" } => "It is built from passwords that many people use.",
            DictionaryMatch => "It is made of a few very common words or names.",
            { Pattern: "spatial" } => "Keys next to each other on the keyboard, like qwerty, are easy to guess.",
            { Pattern: "repeat" } => "Repeated characters are easy to guess.",
            { Pattern: "sequence" } => "Runs like abcd or 1234 are easy to guess.",
            { Pattern: "date" or "year" or "digits" } => "Dates, years and strings of digits are easy to guess.",
            _ => "",
        };
    }
}
