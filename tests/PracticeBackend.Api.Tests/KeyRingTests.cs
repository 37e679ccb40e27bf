using static PracticeBackend.Api.Tests.Exceptions;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The Data Protection keys encrypted under a certificate (Practice:KeyRing, ADR 0013): a copy of the database
/// alone opens nothing; nodes open only what their certificates open; a rotation keeps old rows readable.
/// Certificates are made here, at test time; no private key is committed.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private const string AdminEmail = "admin@keyring.test";
    private const string AdminPassword = "a key ring passphrase";
    private const string CertificatePassword = "pfx passphrase for tests";
    private const string WrongPassword = "not the pfx passphrase";
    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("keyring-tests-");

    [Fact]
    public async Task DatabaseCopy_CannotOpenANameSealedUnderTheCertificate_AndANodeWithoutItRefusesToStart()
    {
        var database = await TestPostgres.CreateDatabaseAsync("keyring");
        var certificate = MakeCertificate("practice-key-ring");
        var marker = Guid.NewGuid().ToString("N")[..12];
        Guid intakeId;
        await using (var node = new KeyRingNode(database, certificate.Path))
        {
            await node.InitializeAsync();
            intakeId = await node.SubmitAsync($"Name{marker}");
        }

        var keys = await KeyXmlAsync(database);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml => Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal));
        Assert.All(keys, xml => Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal));

        // What someone holding the dump can do with Data Protection itself: without the certificate, nothing.
        var sealedName = await SealedNameAsync(database, intakeId);
        var withoutCertificate = DumpedKeyRing(keys, certificate: null);
        Assert.Throws<CryptographicException>(() => withoutCertificate.Unprotect(sealedName));
        Assert.Equal($"Name{marker}", System.Text.Encoding.UTF8.GetString(DumpedKeyRing(keys, certificate.Certificate).Unprotect(sealedName)));

        var keysBefore = keys.Count;
        var refusal = await StartFailureAsync(new KeyRingNode(database, certificatePath: null));
        Assert.Contains("cannot be opened on this node", refusal, StringComparison.Ordinal);
        Assert.Contains("Practice:KeyRing:CertificatePath", refusal, StringComparison.Ordinal);
        Assert.Contains(Fingerprint(certificate.Certificate), refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, refusal, StringComparison.Ordinal);
        Assert.Equal(keysBefore, (await KeyXmlAsync(database)).Count);
    }

    [Fact]
    public async Task ANode_RefusesToStart_SayingTheStoredKeyIsDamaged_WhenItsCipherTextNoLongerDecodes()
    {
        var database = await TestPostgres.CreateDatabaseAsync("keydamage");
        var certificate = MakeCertificate("key-ring-damaged");
        await using (var node = new KeyRingNode(database, certificate.Path))
        {
            await node.InitializeAsync();
            await node.SubmitAsync("Sam Damaged");
        }

        // The encrypted key's cipher text is no longer base64 (a bad restore, a hand edit): not a CryptographicException.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var damage = new NpgsqlCommand(
                "UPDATE data_protection_keys SET xml = regexp_replace(xml, '<CipherValue>[^<]*</CipherValue>', '<CipherValue>not base64!</CipherValue>')", connection);
            Assert.True(await damage.ExecuteNonQueryAsync() > 0);
        }

        var refusal = await StartFailureAsync(new KeyRingNode(database, certificate.Path));

        Assert.Contains("Practice:KeyRing: 1 Data Protection key(s) stored in the database cannot be opened on this node", refusal, StringComparison.Ordinal);
        Assert.Contains($"{Fingerprint(certificate.Certificate)} (CN=key-ring-damaged), which this node has: the stored key is damaged", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("Base-64", refusal, StringComparison.Ordinal); // the FormatException's own words
    }

    [Fact]
    public async Task Rotation_KeepsOldRowsReadableUnderTheRetiredCertificate_AndMakesTheNextKeyUnderTheNewOne()
    {
        var database = await TestPostgres.CreateDatabaseAsync("keyrotate");
        var retired = MakeCertificate("key-ring-2026");
        var next = MakeCertificate("key-ring-2027");
        Guid before;
        await using (var node = new KeyRingNode(database, retired.Path))
        {
            await node.InitializeAsync();
            before = await node.SubmitAsync("Robin Before");
        }

        await using (var node = new KeyRingNode(database, next.Path, retired.Path))
        {
            await node.InitializeAsync();
            using var admin = await node.SignInAsAdminAsync();
            Assert.Equal("Robin Before", (await KeyRingNode.DetailAsync(admin, before)).GetProperty("name").GetString());
            var after = await node.SubmitAsync("Robin After");
            Assert.Equal("Robin After", (await KeyRingNode.DetailAsync(admin, after)).GetProperty("name").GetString());
        }

        var keys = (await KeyXmlAsync(database)).Select(XElement.Parse).ToList();
        Assert.All(keys, key => Assert.Null(key.Descendants("masterKey").FirstOrDefault()));
        var underNext = Assert.Single(keys, key => EncryptedUnder(key) == Convert.ToBase64String(next.Certificate.RawData));
        var takesOver = (DateTimeOffset)underNext.Element("activationDate")!;
        Assert.InRange(takesOver - DateTimeOffset.UtcNow, TimeSpan.FromDays(1.9), TimeSpan.FromDays(2));

        var refusal = await StartFailureAsync(new KeyRingNode(database, next.Path));
        Assert.Contains("Practice:KeyRing:RetiredCertificatePaths", refusal, StringComparison.Ordinal);
        Assert.Contains(Fingerprint(retired.Certificate), refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificateAdded_ToAnInstallationWithPlainKeys_KeepsItsRowsReadable_AndMakesOneEncryptedKeyToTakeOver()
    {
        var database = await TestPostgres.CreateDatabaseAsync("keyplain");
        var certificate = MakeCertificate("key-ring-added");
        Guid earlier;
        await using (var node = new KeyRingNode(database, certificatePath: null))
        {
            await node.InitializeAsync();
            earlier = await node.SubmitAsync("Kim Earlier");
        }

        Assert.All(await KeyXmlAsync(database), xml => Assert.Contains("<masterKey", xml, StringComparison.Ordinal));
        for (var start = 0; start < 2; start++)
        {
            await using var node = new KeyRingNode(database, certificate.Path);
            await node.InitializeAsync();
            using var admin = await node.SignInAsAdminAsync();
            Assert.Equal("Kim Earlier", (await KeyRingNode.DetailAsync(admin, earlier)).GetProperty("name").GetString());
        }

        // The key made before stays as it was (it is needed to open what it sealed); one more, encrypted, takes over.
        var keys = (await KeyXmlAsync(database)).Select(XElement.Parse).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Single(keys, key => key.Descendants("masterKey").Any());
        var encrypted = Assert.Single(keys, key => EncryptedUnder(key) == Convert.ToBase64String(certificate.Certificate.RawData));
        Assert.True((DateTimeOffset)encrypted.Element("activationDate")! > DateTimeOffset.UtcNow.AddDays(1.9));
    }

    [Fact]
    public async Task Host_WarnsOnceAtStart_WhenNoCertificateIsSetInProduction()
    {
        var database = await TestPostgres.CreateDatabaseAsync("keywarn");
        await using var node = new KeyRingNode(database, certificatePath: null, environment: "Production");

        await node.InitializeAsync();

        var warnings = node.Logs.Since(0).Where(line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Practice:KeyRing:CertificatePath is not set", StringComparison.Ordinal));
        Assert.Single(warnings);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "missing", "Practice:KeyRing:CertificatePath: there is no file at" },
        { "wrong-password", "Practice:KeyRing:CertificatePath: '{path}' could not be read as a PKCS#12 (.pfx) file with the password configured for it" },
        { "no-private-key", "Practice:KeyRing:CertificatePath: '{path}' holds a certificate without its private key" },
        { "retired-missing", "Practice:KeyRing:RetiredCertificatePaths:0: there is no file at" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Host_RefusesToStart_NamingTheSetting_WhenTheCertificateCannotBeUsed(string problem, string expected)
    {
        var database = await TestPostgres.CreateDatabaseAsync("keybad");
        var good = MakeCertificate("key-ring-good");
        var absent = Path.Combine(_files.FullName, "absent.pfx");
        var node = problem switch
        {
            "missing" => new KeyRingNode(database, absent),
            "wrong-password" => new KeyRingNode(database, good.Path, password: WrongPassword),
            "no-private-key" => new KeyRingNode(database, MakeCertificate("key-ring-public-only", withPrivateKey: false).Path),
            _ => new KeyRingNode(database, good.Path, absent),
        };
        var path = problem == "no-private-key" ? Path.Combine(_files.FullName, "key-ring-public-only.pfx") : good.Path;

        var refusal = await StartFailureAsync(node);

        Assert.Contains(expected.Replace("{path}", path, StringComparison.Ordinal), refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(CertificatePassword, refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, refusal, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Delete(recursive: true);

    /// <summary>A self-signed RSA certificate written as a .pfx, as README "Protecting the key ring" makes one with openssl.</summary>
    private (string Path, X509Certificate2 Certificate) MakeCertificate(string name, bool withPrivateKey = true)
    {
        using var made = TestCertificates.SelfSigned(name);
        using var publicOnly = X509CertificateLoader.LoadCertificate(made.RawData);
        var pfx = (withPrivateKey ? made : publicOnly).Export(X509ContentType.Pfx, CertificatePassword);
        var path = Path.Combine(_files.FullName, name + ".pfx");
        File.WriteAllBytes(path, pfx);
        return (path, X509CertificateLoader.LoadPkcs12(pfx, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet));
    }

    private static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHashString(HashAlgorithmName.SHA256).Chunk(2).Select(pair => new string(pair)));

    /// <summary>The certificate (base64 DER) a stored key was encrypted to; null for a key stored in the clear.</summary>
    private static string? EncryptedUnder(XElement key) => key.Descendants(XmlDsig + "X509Certificate").FirstOrDefault()?.Value;

    /// <summary>
    /// Data Protection over the dumped key rows, as anyone with the dump could set it up (the application name
    /// and purpose are no secret): with the certificate, or without.
    /// </summary>
    private IDataProtector DumpedKeyRing(IReadOnlyList<string> keys, X509Certificate2? certificate)
    {
        var directory = _files.CreateSubdirectory("dump-" + Guid.NewGuid().ToString("N"));
        foreach (var xml in keys)
        {
            File.WriteAllText(Path.Combine(directory.FullName, $"key-{XElement.Parse(xml).Attribute("id")!.Value}.xml"), xml);
        }

        var provider = certificate is null
            ? DataProtectionProvider.Create(directory, builder => builder.SetApplicationName("PracticeBackend"))
            : DataProtectionProvider.Create(directory, builder => builder.SetApplicationName("PracticeBackend"), certificate);
        return provider.CreateProtector("PracticeBackend.Phi.v1");
    }

    private static async Task<List<string>> KeyXmlAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY id", connection);
        await using var reader = await query.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private static async Task<byte[]> SealedNameAsync(string database, Guid intakeId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT c.name_sealed FROM intake_requests r JOIN clients c ON c.id = r.client_id WHERE r.id = @id", connection);
        query.Parameters.AddWithValue("id", intakeId);
        return (byte[])(await query.ExecuteScalarAsync())!;
    }

    /// <summary>Starts a node that must not start; returns every message of the failure, outermost first.</summary>
    private static async Task<string> StartFailureAsync(KeyRingNode node) =>
        string.Join("\n", (await Exceptions.StartFailureAsync(node)).Select(e => e.Message));

    /// <summary>One node of the practice on a database other nodes used before it, with the key ring settings given.</summary>
    private sealed class KeyRingNode(
        string database,
        string? certificatePath,
        string? retiredPath = null,
        string password = CertificatePassword,
        string environment = "Testing") : PracticeAppFactory
    {
        public CapturedLogs Logs { get; } = new();

        protected override string? SharedDatabase => database;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
            WithoutRateLimits(builder);
            WithFirstAdmin(builder, AdminEmail, AdminPassword);
            if (certificatePath is not null)
            {
                builder.UseSetting("Practice:KeyRing:CertificatePath", certificatePath);
                builder.UseSetting("Practice:KeyRing:CertificatePassword", password);
            }

            if (retiredPath is not null)
            {
                builder.UseSetting("Practice:KeyRing:RetiredCertificatePaths:0", retiredPath);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        }

        public async Task<Guid> SubmitAsync(string name)
        {
            var form = IntakeForms.Valid();
            form["name"] = name;
            using var client = CreateClient();
            var response = await client.SendAsync(IntakeForms.Post(form));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        }

        public async Task<HttpClient> SignInAsAdminAsync()
        {
            var client = CreateClient();
            var login = await client.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = AdminPassword });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            return client;
        }

        public static async Task<System.Text.Json.JsonElement> DetailAsync(HttpClient staff, Guid intakeId)
        {
            var response = await staff.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.JsonAsync();
        }
    }
}
