using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace PracticeBackend.Api.Email;

/// <summary>Section <c>Email:Dkim</c>: outgoing mail signed for the practice's domain (README "Signing mail (DKIM)").</summary>
public sealed class DkimSettings
{
    /// <summary>
    /// What a signature covers unless <see cref="SignedHeaders"/> says otherwise: what a reader sees and what makes
    /// the message what it is; RFC 8058 wants both List-Unsubscribe headers signed for one-click unsubscribe. A header
    /// a message lacks is signed as absent, so nobody on the way can add it.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultSignedHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post"];

    /// <summary>The signing domain (d=): the domain of <c>Email:FromAddress</c> or a parent of it.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (s=): the public key is published at <c>{Selector}._domainkey.{Domain}</c>.</summary>
    public string? Selector { get; set; }

    /// <summary>A PEM RSA private key (<c>openssl genrsa</c>), unencrypted, readable by the app's user.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Empty: <see cref="DefaultSignedHeaders"/>.</summary>
    public List<string> SignedHeaders { get; set; } = [];

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Domain) || !string.IsNullOrWhiteSpace(Selector) || !string.IsNullOrWhiteSpace(PrivateKeyPath);

    public IReadOnlyList<string> HeadersToSign => SignedHeaders.Count > 0 ? SignedHeaders : DefaultSignedHeaders;

    public string SigningDomain => (Domain ?? "").Trim().TrimEnd('.');
}

/// <summary>Checked at start: all three settings or none, a usable key, and a domain that receivers' DMARC checks count.</summary>
internal sealed class DkimValidation : IValidateOptions<EmailOptions>
{
    private const string Section = $"{EmailOptions.Section}:Dkim";

    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var dkim = options.Dkim;
        if (!dkim.IsConfigured)
        {
            return ValidateOptionsResult.Skip;
        }

        var missing = new[] { (nameof(DkimSettings.Domain), dkim.Domain), (nameof(DkimSettings.Selector), dkim.Selector), (nameof(DkimSettings.PrivateKeyPath), dkim.PrivateKeyPath) }
            .Where(setting => string.IsNullOrWhiteSpace(setting.Item2))
            .Select(setting => $"{Section}:{setting.Item1}")
            .ToList();
        if (missing.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"{Section}: Domain, Selector and PrivateKeyPath are set together or not at all; {string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} missing.");
        }

        var problems = new List<string>();
        if (KeyProblem(dkim.PrivateKeyPath!) is { } keyProblem)
        {
            problems.Add(keyProblem);
        }

        var fromDomain = options.FromAddress.Split('@')[^1].Trim().TrimEnd('.');
        var domain = dkim.SigningDomain;
        if (!string.Equals(fromDomain, domain, StringComparison.OrdinalIgnoreCase) && !fromDomain.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:Domain '{domain}' is neither the domain of {EmailOptions.Section}:FromAddress ('{fromDomain}') nor a parent of it: "
                + "receivers' DMARC checks would not count the signature for mail from that address.");
        }

        if (!dkim.HeadersToSign.Contains("From", StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{Section}:SignedHeaders must include From (RFC 6376 signs it always).");
        }

        problems.AddRange(SignedHeaderProblems(dkim.SignedHeaders));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>
    /// Headers a signature must not cover (RFC 6376 §5.4): servers on the way add, rewrite or drop them, so a
    /// signature over them would fail at the receiver; DKIM-Signature is the signature itself.
    /// </summary>
    private static readonly string[] Unsignable = ["Bcc", "Received", "Return-Path", "Comments", "Keywords", "DKIM-Signature"];

    private static IEnumerable<string> SignedHeaderProblems(List<string> headers)
    {
        var setting = $"{Section}:{nameof(DkimSettings.SignedHeaders)}";
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(headers[i]))
            {
                yield return $"{setting}:{i} is empty: give a header name, or remove the entry.";
            }
        }

        var unsignable = headers.Where(header => Unsignable.Contains(header?.Trim(), StringComparer.OrdinalIgnoreCase)).ToList();
        if (unsignable.Count > 0)
        {
            yield return $"{setting} must not include {string.Join(", ", unsignable)}: servers on the way add, change or remove "
                + "Bcc, Received, Return-Path, Comments and Keywords, and DKIM-Signature is the signature itself, so a signature "
                + "covering them would not verify (RFC 6376 §5.4).";
        }
    }

    private static string? KeyProblem(string path)
    {
        var setting = $"{Section}:{nameof(DkimSettings.PrivateKeyPath)}";
        if (!File.Exists(path))
        {
            return $"{setting}: there is no file at '{path}'.";
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(path));
            rsa.ExportParameters(includePrivateParameters: true); // a public key alone imports too, and cannot sign
            return rsa.KeySize < 1024
                ? $"{setting}: the key in '{path}' has {rsa.KeySize} bits; receivers ignore DKIM keys under 1024 bits (RFC 8301). Make a 2048-bit one (openssl genrsa -out dkim.pem 2048)."
                : null;
        }
        catch (Exception failure) when (failure is ArgumentException or CryptographicException)
        {
            return $"{setting}: '{path}' holds no unencrypted PEM RSA private key (openssl genrsa -out dkim.pem 2048 makes one).";
        }
        catch (UnauthorizedAccessException)
        {
            return $"{setting}: '{path}' cannot be read by this process; give its user read access.";
        }
    }
}

/// <summary>
/// Signs each message as it is handed to the transport, when every header is final. Relaxed canonicalization
/// for headers and body, so that relays re-folding headers or trimming trailing spaces do not break it.
/// Made once, at start (<see cref="DkimSigningAtStart"/>): the key is read then, not at the first send.
/// </summary>
internal sealed class DkimSigning
{
    private const string KeySetting = $"{EmailOptions.Section}:Dkim:{nameof(DkimSettings.PrivateKeyPath)}";

    private readonly DkimSigner _signer;
    private readonly string[] _headers;
    private readonly Lock _gate = new();

    private DkimSigning(DkimSigner signer, IReadOnlyList<string> headers)
    {
        _signer = signer;
        _headers = [.. headers];
    }

    public string Domain => _signer.Domain;

    public string Selector => _signer.Selector;

    /// <summary>Reads the key into MimeKit's signer; settings <see cref="DkimValidation"/> passed, or a refusal naming the key's setting.</summary>
    public static DkimSigning Create(DkimSettings settings)
    {
        var path = settings.PrivateKeyPath!;
        try
        {
            return new DkimSigning(
                new DkimSigner(path, settings.SigningDomain, settings.Selector!.Trim(), DkimSignatureAlgorithm.RsaSha256)
                {
                    HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                    BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                },
                settings.HeadersToSign);
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{KeySetting}: '{path}' cannot be read by this process; give its user read access.");
        }
        catch (Exception failure) when (failure is IOException or FormatException or ArgumentException or Org.BouncyCastle.Crypto.CryptoException)
        {
            // The file changed since it was checked, or MimeKit reads it otherwise than .NET: the type says which step failed.
            throw new InvalidOperationException(
                $"{KeySetting}: '{path}' holds no unencrypted PEM RSA private key the DKIM signer can read ({failure.GetType().Name}); "
                + "openssl genrsa -out dkim.pem 2048 makes one.");
        }
    }

    public void Sign(MimeMessage message)
    {
        // The body in 7-bit encodings first, as every server on the way accepts it: MailKit would otherwise choose the
        // encodings for the server after signing, and the body hash would no longer match (a signed message it leaves as it is).
        message.Prepare(EncodingConstraint.SevenBit);
        lock (_gate)
        {
            _signer.Sign(message, _headers);
        }
    }
}

/// <summary>
/// Makes the signer in the host's Starting phase, so that a key it cannot read stops the start rather than the
/// first email, and says what mail is signed for.
/// </summary>
internal sealed partial class DkimSigningAtStart(DkimSigning signing, ILogger<DkimSigningAtStart> logger) : Hosting.StartingPhaseTask
{
    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        LogSigning(logger, signing.Domain, signing.Selector);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outgoing mail is DKIM-signed for {Domain}, selector {Selector}")]
    private static partial void LogSigning(ILogger logger, string domain, string selector);
}

/// <summary>Any transport, with each message DKIM-signed just before it goes.</summary>
internal sealed class SigningMailTransport(IMailTransport inner, DkimSigning signing) : IMailTransport
{
    public IMailSession OpenSession() => new Session(inner.OpenSession(), signing);

    private sealed class Session(IMailSession inner, DkimSigning signing) : IMailSession
    {
        public Task<TransportResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                signing.Sign(message);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // Nothing reached the server: like any failure before the content flows, it may be tried again later.
                return Task.FromResult<TransportResult>(new TransportResult.Transient("dkim-" + failure.GetType().Name));
            }

            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
