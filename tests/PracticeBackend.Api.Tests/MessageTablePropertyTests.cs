using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CsCheck;
using MimeKit;
using Npgsql;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The message table's property, end to end: a few hundred people with random 90 days (the same generator
/// as the pure simulation) act through the real doors — the form, the links in the mail they actually
/// received, the staff API — while the clock moves in steps and, at each step, the real sweep hands due
/// messages to the real Hangfire send jobs, which send over SMTP and write PostgreSQL. The mail system goes
/// down and the sender stops for hours at random. Then the same <see cref="MessageTableOracle"/> judges each
/// person's story against what was really sent, and every sent row must have arrived exactly once.
/// </summary>
public sealed partial class MessageTablePropertyTests(FollowUpApp app) : IClassFixture<FollowUpApp>
{
    private const int People = 250;
    private static readonly TimeSpan Step = TimeSpan.FromHours(2);

    [Fact]
    public async Task AFewHundredPeople_ThroughTheRealSenderHangfireAndPostgres_NeverBreakTheMessageTable()
    {
        // Start on a Monday morning a little before the March DST changes (US 2027-03-14, EU 2027-03-28, AU/NZ 2027-04-04).
        app.Clock.Set(new DateTimeOffset(2027, 2, 22, 12, 0, 0, TimeSpan.Zero));
        var start = app.Clock.GetUtcNow();
        var run = Guid.NewGuid().ToString("N")[..8];
        var scripts = PersonScripts.People.Array[People, People].Single();
        // Outages are the whole practice's, not one person's: keep those of one script in 25, so the mail
        // system and the sender are down a few times in the run rather than most of it.
        var people = scripts.Select((script, i) => new Person(
            $"sim-{run}-{i}@example.org",
            script with
            {
                Start = start + TimeSpan.FromMinutes((i * 37) % (7 * 24 * 60)),
                Actions = [.. script.Actions.Where(a => i % 25 == 0 || a.Act is not (Act.SmtpDown or Act.SenderDown))],
            })).ToList();
        var staff = new Staff(app);
        var mail = new Mailbox(app);
        var senderBackAt = DateTimeOffset.MinValue;
        var smtpBackAt = DateTimeOffset.MinValue;
        var outageBegan = DateTimeOffset.MinValue;

        var end = start + TimeSpan.FromDays(PersonScript.WatchedDays + 7);
        while (app.Clock.GetUtcNow() < end)
        {
            var now = app.Clock.GetUtcNow();
            if (now >= smtpBackAt)
            {
                app.SmtpBack();
            }

            mail.Collect();
            foreach (var person in people)
            {
                foreach (var action in person.DueBy(now))
                {
                    switch (action.Act)
                    {
                        case Act.SenderDown:
                            senderBackAt = Max(senderBackAt, now + TimeSpan.FromHours(action.Hours));
                            break;
                        case Act.SmtpDown:
                            // Overlapping outages merge into one, kept shorter than the retry budget: past it a
                            // message gives up by design (RetryPolicy's own tests), and here everything must
                            // arrive once the mail system is back.
                            if (now >= smtpBackAt)
                            {
                                outageBegan = now;
                                app.SmtpPort(FreePorts.Next());
                            }

                            smtpBackAt = Min(Max(smtpBackAt, now + TimeSpan.FromHours(action.Hours)), outageBegan + RetryPolicy.Budget - 2 * Step);
                            break;
                        default:
                            await person.DoAsync(action, now, app, staff, mail);
                            break;
                    }
                }
            }

            if (now >= senderBackAt)
            {
                await app.DeliverDueAsync();
            }

            app.Clock.Advance(Step);
        }

        app.SmtpBack();
        mail.Collect();
        var broken = new List<string>();
        foreach (var person in people.Where(p => p.IntakeIds.Count > 0))
        {
            var sent = await SentAsync(person);
            var story = person.Story.Concat(sent).OrderBy(e => e.At).ThenBy(e => e is Delivered ? 1 : 0).ToList();
            var violations = MessageTableOracle.Violations(person.Script.TimeZone, story).Concat(MessageTableOracle.Missing(story)).ToList();
            broken.AddRange(violations.Select(v => $"{person.Email} ({person.Script}): {v}"));
            if (violations.Count > 0)
            {
                broken.Add($"  {person.Email}'s outbox: {await OutboxAsync(person)}");
            }

            var arrived = mail.To(person.Email).Count;
            if (arrived != sent.Count)
            {
                broken.Add($"{person.Email}: {sent.Count} messages marked sent, {arrived} arrived");
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken.Take(20)));
        var kinds = people.SelectMany(p => mail.To(p.Email)).GroupBy(m => m.Subject ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.True(kinds.Count >= 6 && kinds.Values.Sum() > 2 * People, "the run should have sent many kinds of message: " + string.Join(", ", kinds));
    }

    private async Task<List<Delivered>> SentAsync(Person person)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT intake_request_id, kind, sent_at FROM outbox_messages
            WHERE status = 'Sent' AND client_id IN (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes))
            """, connection);
        command.Parameters.AddWithValue("intakes", person.IntakeIds.ToArray());
        var sent = new List<Delivered>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sent.Add(new Delivered(
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)),
                reader.IsDBNull(0) ? null : reader.GetGuid(0),
                Enum.Parse<MessageKind>(reader.GetString(1))));
        }

        return sent;
    }

    /// <summary>What the person's outbox rows say, for a failure's message: why a message did not go.</summary>
    private async Task<string> OutboxAsync(Person person)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT kind, status, coalesce(status_reason, ''), coalesce(due_rule, ''), due_at, attempts, first_attempt_at
            FROM outbox_messages
            WHERE client_id IN (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes))
            ORDER BY created_at
            """, connection);
        command.Parameters.AddWithValue("intakes", person.IntakeIds.ToArray());
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} reason={reader.GetString(2)} rule={reader.GetString(3)} due={reader.GetDateTime(4).ToString("O", System.Globalization.CultureInfo.InvariantCulture)} attempts={reader.GetInt32(5)} first={(reader.IsDBNull(6) ? "-" : reader.GetDateTime(6).ToString("O", System.Globalization.CultureInfo.InvariantCulture))}");
        }

        return string.Join("; ", rows);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>One simulated person: their script, what they did (as the oracle reads it), and their requests.</summary>
    private sealed class Person(string email, PersonScript script)
    {
        private readonly Queue<Scripted> _actions = new(script.Actions);
        private bool _wroteFirst;

        public string Email { get; } = email;

        public PersonScript Script { get; } = script;

        public List<Entry> Story { get; } = [];

        public List<Guid> IntakeIds { get; } = [];

        private bool Erased => Story.OfType<Erased>().Any();

        public IEnumerable<Scripted> DueBy(DateTimeOffset now)
        {
            if (!_wroteFirst && Script.Start <= now)
            {
                _wroteFirst = true;
                yield return new Scripted(0, Act.WriteAgain, Script.Pace, 0, Script.Crisis);
            }

            while (_wroteFirst && _actions.TryPeek(out var next) && Script.Start.AddDays(next.Day) <= now)
            {
                yield return _actions.Dequeue();
            }
        }

        public async Task DoAsync(Scripted action, DateTimeOffset now, FollowUpApp app, Staff staff, Mailbox mail)
        {
            if (Erased)
            {
                return;
            }

            switch (action.Act)
            {
                case Act.WriteAgain:
                    var form = IntakeForms.Valid(Email);
                    form["pace"] = action.Pace.ToWire();
                    form["timeZone"] = Script.TimeZone;
                    form["message"] = action.Crisis ? "Some days I want to die." : "I keep people at arm's length.";
                    using (var client = app.CreateClient())
                    {
                        var response = await client.SendAsync(IntakeForms.Post(form));
                        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                        var id = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
                        IntakeIds.Add(id);
                        Story.Add(new Wrote(now, id, action.Pace, action.Crisis));
                    }

                    break;
                case Act.ChangePace when await mail.PressAsync(Email, "Change how often we write", [new("pace", action.Pace.ToWire())]) is not null:
                    Story.Add(new ChosePace(now, action.Pace));
                    break;
                case Act.Pause30 or Act.Pause90:
                    var days = action.Act == Act.Pause30 ? 30 : 90;
                    if (await mail.PressAsync(Email, "Pause these emails", [new("days", days.ToString(System.Globalization.CultureInfo.InvariantCulture))]) is { } paused
                        && paused.Contains("We won't write before", StringComparison.Ordinal))
                    {
                        Story.Add(new Paused(now, now.AddDays(days)));
                    }

                    break;
                case Act.Resume when (await mail.PressAsync(Email, "Pause these emails", [new("resume", "1")]))?.Contains("Emails can come again", StringComparison.Ordinal) == true:
                    Story.Add(new Resumed(now));
                    break;
                case Act.Stop when await mail.PressAsync(Email, "Stop these emails", []) is not null:
                    Story.Add(new Stopped(now));
                    break;
                case Act.NotNow when await mail.PressAsync(Email, "Not now / no thanks", []) is not null:
                    Story.Add(new SaidNotNow(now));
                    break;
                case Act.Erase when await mail.PressAsync(Email, "Erase my data", []) is not null:
                    Story.Add(new Erased(now));
                    break;
                case Act.ConfirmAddress when IntakeIds.Count > 0:
                    if ((await mail.PressAsync(Email, "Yes, it was me, please reply", []))?.Contains("Thank you, we'll reply", StringComparison.Ordinal) == true)
                    {
                        Story.Add(new ConfirmedAddress(now, await ConfirmedRequestAsync(app)));
                    }

                    break;
                case Act.Reply when IntakeIds.Count > 0 && await staff.PostAsync($"/api/staff/intake/{IntakeIds[^1]}/replied", null, now):
                    Story.Add(new RepliedTo(now, IntakeIds[^1]));
                    break;
                case Act.StaffWrite when IntakeIds.Count > 0 && await staff.PostAsync($"/api/staff/intake/{IntakeIds[^1]}/messages", new { body = "Hello, this is Alex from the practice." }, now):
                    Story.Add(new StaffWrote(now, IntakeIds[^1]));
                    break;
                case Act.StaffClose when IntakeIds.Count > 0 && await staff.PostAsync($"/api/staff/intake/{IntakeIds[^1]}/close", new { reason = "no-response" }, now):
                    Story.Add(new StaffClosed(now, IntakeIds[^1]));
                    break;
            }
        }

        /// <summary>The request the pressed confirmation was about: the one that is no longer awaiting it.</summary>
        private async Task<Guid> ConfirmedRequestAsync(FollowUpApp app)
        {
            var awaiting = Story.OfType<Wrote>().Select(w => w.RequestId).Except(Story.OfType<ConfirmedAddress>().Select(c => c.RequestId)).ToArray();
            await using var connection = new NpgsqlConnection(app.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT r.id FROM intake_requests r JOIN intake_events e ON e.intake_request_id = r.id AND e.kind = 'address-confirmed' WHERE r.id = ANY(@ids) ORDER BY e.at DESC LIMIT 1",
                connection);
            command.Parameters.AddWithValue("ids", awaiting);
            return (Guid)(await command.ExecuteScalarAsync())!;
        }
    }

    /// <summary>The practice's admin, signed in again when the session (which runs on the practice's clock) has ended.</summary>
    private sealed class Staff(FollowUpApp app)
    {
        private HttpClient? _client;
        private DateTimeOffset _signedInAt;

        public async Task<bool> PostAsync(string path, object? body, DateTimeOffset now)
        {
            if (_client is null || now - _signedInAt > TimeSpan.FromHours(11))
            {
                _client?.Dispose();
                _client = app.CreateClient();
                var login = await _client.PostAsJsonAsync("/api/auth/login", new { email = FollowUpApp.AdminEmail, password = FollowUpApp.AdminPassword });
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                _signedInAt = now;
            }

            var response = body is null ? await _client.PostAsync(new Uri(path, UriKind.Relative), null) : await _client.PostAsJsonAsync(path, body);
            Assert.True(response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Conflict, $"{path} answered {(int)response.StatusCode}");
            return response.StatusCode == HttpStatusCode.NoContent;
        }
    }

    /// <summary>Every mail the SMTP server received, by recipient, read once; and the person's way of pressing a link in it.</summary>
    private sealed partial class Mailbox(FollowUpApp app)
    {
        private readonly Dictionary<string, List<MimeMessage>> _byRecipient = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Takes what arrived since the last call (between steps, when no send is in flight) into the person's inbox.</summary>
        public void Collect()
        {
            var received = app.Smtp.ReceivedEmail;
            app.Smtp.ClearReceivedEmail();
            foreach (var arrived in received)
            {
                var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(arrived.Data)));
                foreach (var to in message.To.Mailboxes)
                {
                    (_byRecipient.TryGetValue(to.Address, out var list) ? list : _byRecipient[to.Address] = []).Add(message);
                }
            }
        }

        public List<MimeMessage> To(string address) => _byRecipient.GetValueOrDefault(address) ?? [];

        /// <summary>Follows the newest link with this label the person has received and presses its button; null when they have no such link or it is not active.</summary>
        public async Task<string?> PressAsync(string address, string label, KeyValuePair<string, string>[] form)
        {
            var link = Enumerable.Reverse(To(address))
                .Select(m => Regex.Match(m.TextBody ?? "", Regex.Escape(label) + @": (\S+)"))
                .FirstOrDefault(m => m.Success);
            if (link is null)
            {
                return null;
            }

            using var browser = new HttpClient();
            var response = await browser.PostAsync(new Uri(app.ClientOptions.BaseAddress, new Uri(link.Groups[1].Value).PathAndQuery), new FormUrlEncodedContent(form));
            return response.StatusCode == HttpStatusCode.OK ? WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()) : null;
        }
    }
}
