using static PracticeBackend.Api.Tests.Exceptions;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Outgoing mail DKIM-signed for the practice's domain (Email:Dkim): what arrives over the SMTP socket verifies
/// against the public key as it would be published in DNS, and bad settings stop start-up.
/// </summary>
public sealed class DkimSigningTests(DkimApp app) : IClassFixture<DkimApp>
{
    [Fact]
    public async Task Mail_ArrivesSignedForThePracticesDomain_AndVerifiesWithThePublishedKey()
    {
        app.MoveToNextMondayAfternoonUtc();
        var form = IntakeForms.Valid($"dkim.{Guid.NewGuid():N}@example.org");
        form["name"] = "José Müller-Łukasiewicz";
        var submitted = await app.PostIntakeAsync(form);
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        await app.DeliverDueAsync();
        var intakeId = (await submitted.JsonAsync()).GetProperty("intakeId").GetGuid();
        using var admin = await app.SignInAsAdminAsync();
        var written = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/messages", new { body = "Hello José, Thursday afternoons are free if that ever suits." });
        Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
        await app.DeliverDueAsync();

        var received = app.ReceivedAsSent((string)form["email"]!);

        Assert.Equal(2, received.Count);
        Assert.Single(received, m => m.Headers["List-Unsubscribe"] is not null && m.Headers["List-Unsubscribe-Post"] is not null); // the personal message
        foreach (var message in received)
        {
            var signature = Tags(message.Headers[HeaderId.DkimSignature]);
            Assert.Equal("practice.test", signature["d"]);
            Assert.Equal("s2027", signature["s"]);
            Assert.Equal("rsa-sha256", signature["a"]);
            Assert.Equal(
                "from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:list-unsubscribe-post",
                string.Concat(signature["h"].Where(c => !char.IsWhiteSpace(c))));

            var dns = new PublishedKey(app.TxtRecord);
            Assert.True(new DkimVerifier(dns).Verify(message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]));
            Assert.Equal("s2027._domainkey.practice.test", dns.Asked);
        }

        // The signature is not decoration: a subject changed on the way no longer verifies.
        var changed = received[0];
        changed.Subject += " (changed)";
        Assert.False(new DkimVerifier(new PublishedKey(app.TxtRecord)).Verify(changed, changed.Headers[changed.Headers.IndexOf(HeaderId.DkimSignature)]));
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "partial", "Email:Dkim: Domain, Selector and PrivateKeyPath are set together or not at all; Email:Dkim:PrivateKeyPath is missing." },
        { "not-a-key", "holds no unencrypted PEM RSA private key" },
        { "public-key-only", "holds no unencrypted PEM RSA private key" },
        { "short-key", "has 768 bits; receivers ignore DKIM keys under 1024 bits (RFC 8301)" },
        { "other-domain", "Email:Dkim:Domain 'elsewhere.example' is neither the domain of Email:FromAddress ('mail.practice.test') nor a parent of it" },
        { "no-from", "Email:Dkim:SignedHeaders must include From" },
        { "empty-header", "Email:Dkim:SignedHeaders:1 is empty: give a header name, or remove the entry." },
        { "unsignable-headers", "Email:Dkim:SignedHeaders must not include bcc, Received, return-path, Comments, KEYWORDS, DKIM-Signature: servers on the way" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Host_RefusesToStart_NamingTheSetting_WhenDkimIsMisconfigured(string problem, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("dkim-bad-");
        try
        {
            var key = Path.Combine(directory.FullName, "dkim.pem");
            using var rsa = RSA.Create(problem == "short-key" ? 768 : 2048);
            File.WriteAllText(key, problem switch
            {
                "not-a-key" => "not a key",
                "public-key-only" => rsa.ExportSubjectPublicKeyInfoPem(),
                _ => rsa.ExportPkcs8PrivateKeyPem(),
            });
            await using var host = new DkimSettingsApp(builder =>
            {
                builder.UseSetting("Email:Dkim:Domain", problem == "other-domain" ? "elsewhere.example" : "practice.test");
                builder.UseSetting("Email:Dkim:Selector", "s2027");
                if (problem != "partial")
                {
                    builder.UseSetting("Email:Dkim:PrivateKeyPath", key);
                }

                string[] headers = problem switch
                {
                    "no-from" => ["Subject"],
                    "empty-header" => ["From", "", "Subject"],
                    "unsignable-headers" => ["From", "bcc", "Received", "return-path", "Comments", "KEYWORDS", "DKIM-Signature", "Subject"],
                    _ => [],
                };
                for (var i = 0; i < headers.Length; i++)
                {
                    builder.UseSetting($"Email:Dkim:SignedHeaders:{i}", headers[i]);
                }
            });

            var failure = await Record.ExceptionAsync(host.InitializeAsync);

            Assert.NotNull(failure);
            Assert.Contains(expected, string.Join("\n", Chain(failure).Select(e => e.Message)), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The tags of a DKIM-Signature header (RFC 6376 §3.5), by name.</summary>
    private static Dictionary<string, string> Tags(string? header) =>
        (header ?? throw new Xunit.Sdk.XunitException("no DKIM-Signature header"))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(tag => tag.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim());

    /// <summary>DNS as a receiver queries it: the TXT record at selector._domainkey.domain, parsed by MimeKit.</summary>
    private sealed class PublishedKey(string txtRecord) : DkimPublicKeyLocatorBase
    {
        public string? Asked { get; private set; }

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            Asked = $"{selector}._domainkey.{domain}";
            return GetPublicKey(txtRecord);
        }

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    private sealed class DkimSettingsApp(Action<IWebHostBuilder> dkim) : PracticeAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Email:FromAddress", "hello@mail.practice.test");
            dkim(builder);
        }
    }
}

/// <summary>
/// The follow-up host with a DKIM key made at start, for d=practice.test, s=s2027. Mail comes from a subdomain
/// (hello@mail.practice.test): a parent domain may sign for it.
/// </summary>
public sealed class DkimApp : FollowUpApp
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dkim-");
    private readonly RSA _key = RSA.Create(2048);

    /// <summary>What the practice publishes at s2027._domainkey.practice.test (README "Signing mail (DKIM)").</summary>
    public string TxtRecord => $"v=DKIM1; k=rsa; p={Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo())}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var path = Path.Combine(_directory.FullName, "dkim.pem");
        File.WriteAllText(path, _key.ExportPkcs8PrivateKeyPem()); // what openssl genrsa writes
        builder.UseSetting("Email:FromAddress", "hello@mail.practice.test");
        builder.UseSetting("Email:Dkim:Domain", "practice.test");
        builder.UseSetting("Email:Dkim:Selector", "s2027");
        builder.UseSetting("Email:Dkim:PrivateKeyPath", path);
    }

    /// <summary>
    /// Every message to this address as it crossed the socket. netDumbster keeps SMTP's dot-stuffing
    /// (a line starting with "." is sent as ".."); a server undoes it (RFC 5321 §4.5.2), and so does this.
    /// </summary>
    public IReadOnlyList<MimeMessage> ReceivedAsSent(string address) =>
        [.. Smtp.ReceivedEmail
            .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(m.Data.Replace("\r\n..", "\r\n.", StringComparison.Ordinal)))))
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _key.Dispose();
        _directory.Delete(recursive: true);
    }
}
