using System.Diagnostics;
using System.Globalization;
using netDumbster.smtp;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests.Faults;

/// <summary>
/// Hangfire across nodes: two app processes on one database, each with its Hangfire server, both sweeping the
/// outbox and both fetching send jobs from the one queue. Each planned message is sent once, whichever node
/// planned it and whichever sends it.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultSuite.Name)]
public sealed class TwoNodeDeliveryTests(TwoDeliveringNodes cluster) : IClassFixture<TwoDeliveringNodes>
{
    private const int Requests = 40;

    [Fact]
    public async Task EachPlannedMessage_IsSentOnce_WithTwoNodesSendingFromOneQueue()
    {
        // Submitted through both nodes at once, so both plan, nudge and sweep while the other does.
        var emails = Enumerable.Range(0, Requests).Select(i => $"two.nodes.{i}.{Guid.NewGuid():N}@example.org").ToArray();
        await Parallel.ForEachAsync(emails.Select((email, i) => (email, node: cluster.Nodes[i % 2])), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (submission, _) => await ClusterNodes.SubmitIntakeAsync(submission.node, submission.email));

        var waited = Stopwatch.StartNew();
        while (cluster.Smtp.ReceivedEmailCount < Requests || await cluster.CountAsync("SELECT count(*) FROM outbox_messages WHERE kind = 'Acknowledgement' AND status = 'Sent'") < Requests)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), $"{cluster.Smtp.ReceivedEmailCount} of {Requests} acknowledgements arrived within two minutes");
            await Task.Delay(250);
        }

        // Long enough for each node's every-30-seconds sweep to have run once more: a second send would show now.
        await Task.Delay(Jobs.OutboxDispatcher.Tick + TimeSpan.FromSeconds(5));
        var received = cluster.Smtp.ReceivedEmail.SelectMany(m => m.ToAddresses).Select(a => a.Address.ToString()).ToList();
        Assert.Equal(emails.Order(StringComparer.OrdinalIgnoreCase), received.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

        // Both Hangfire servers sent (each registers itself; a send job's Processing state names the server that ran it).
        Assert.Equal(2, await cluster.CountAsync("SELECT count(*) FROM hangfire.server"));
        var servers = await cluster.CountAsync(
            "SELECT count(DISTINCT s.data::jsonb ->> 'ServerId') FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid "
            + "WHERE s.name = 'Processing' AND j.invocationdata::text LIKE '%SendOutboxBatchJob%'");
        Assert.True(servers == 2, $"send jobs ran on {servers} of the two nodes' Hangfire servers");
    }
}

/// <summary>
/// A node killed in the middle of a send — the mail server has the content and has not answered — leaves the
/// message "sending"; the surviving node never sends it again, and once the claim is older than a send could
/// take it marks it uncertain for staff to check (DESIGN: a message that may have arrived is never resent by itself).
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultSuite.Name)]
public sealed class KilledMidSendTests(TwoNodesStallingSmtp cluster) : IClassFixture<TwoNodesStallingSmtp>
{
    [Fact]
    public async Task ANodeKilledMidSend_LeavesTheMessageUncertain_AndTheOtherNodeNeverSendsItAgain()
    {
        var intake = await ClusterNodes.SubmitIntakeAsync(cluster.Nodes[0], $"mid.send.{Guid.NewGuid():N}@example.org");
        var waited = Stopwatch.StartNew();
        while (!cluster.Smtp.ReceivedContent)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "no node began the send within a minute");
            await Task.Delay(100);
        }

        // Kill the node holding the conversation: the server has the content, the sender never hears "250".
        var sender = cluster.Nodes.Single(node => SocketOwner.Holds(node.ProcessId, cluster.Smtp.ClientPorts[0], cluster.Smtp.Port));
        var survivor = cluster.Nodes.Single(node => node != sender);
        await sender.KillAsync();
        Assert.Equal("Sending", await cluster.StatusAsync(intake));

        // The ten minutes after which a claim is presumed dead, passed: its claim is moved back by that much
        // (the app's clock cannot be turned in another process). The surviving node's sweep does the rest.
        await RawRows.ScalarAsync(cluster.ConnectionString,
            "UPDATE outbox_messages SET claimed_at = claimed_at - @presumed_dead WHERE intake_request_id = @intake AND kind = 'Acknowledgement' RETURNING 1",
            ("presumed_dead", Jobs.OutboxSweep.ClaimPresumedDeadAfter + TimeSpan.FromMinutes(1)), ("intake", intake));
        waited.Restart();
        while (await cluster.StatusAsync(intake) == "Sending")
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "the surviving node did not settle the dead claim within two minutes:\n" + survivor.Output);
            await Task.Delay(500);
        }

        Assert.Equal("Uncertain", await cluster.StatusAsync(intake));
        await Task.Delay(Jobs.OutboxDispatcher.Tick + TimeSpan.FromSeconds(5));
        Assert.Equal("Uncertain", await cluster.StatusAsync(intake));
        Assert.Equal(1, cluster.Smtp.MessagesReceived);
        Assert.Single(cluster.Smtp.ClientPorts);
    }
}

/// <summary>Two nodes, each running Hangfire, mailing one real SMTP server in this process.</summary>
public sealed class TwoDeliveringNodes() : DeliveringNodes(2)
{
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePorts.Next());

    protected override int SmtpPort => Smtp.Configuration.Port;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
    }
}

/// <summary>Two nodes, each running Hangfire, mailing a server that takes a message's content and then says nothing.</summary>
public sealed class TwoNodesStallingSmtp() : DeliveringNodes(2)
{
    public ScriptedSmtpServer Smtp { get; } = ScriptedSmtpServer.StallingBeforeAccepting(TimeSpan.FromMinutes(30));

    protected override int SmtpPort => Smtp.Port;

    protected override int SmtpTimeoutSeconds => 600;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public abstract class DeliveringNodes(int count) : ClusterNodes(count)
{
    protected abstract int SmtpPort { get; }

    protected virtual int SmtpTimeoutSeconds => 10;

    protected override void Configure(int node, Dictionary<string, string?> settings)
    {
        settings["Practice:Jobs:RunServer"] = "true";
        settings["Email:Mode"] = "Smtp";
        settings["Email:Smtp:Host"] = "127.0.0.1";
        settings["Email:Smtp:Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture);
        settings["Email:Smtp:Security"] = "None";
        settings["Email:Smtp:TimeoutSeconds"] = SmtpTimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        settings["Email:FromAddress"] = "hello@practice.test";
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await RawRows.ScalarAsync(ConnectionString, sql) ?? 0L, CultureInfo.InvariantCulture);

    /// <summary>The status of a request's acknowledgement.</summary>
    public async Task<string> StatusAsync(Guid intakeId) =>
        (string)(await RawRows.ScalarAsync(ConnectionString,
            "SELECT status FROM outbox_messages WHERE intake_request_id = @intake AND kind = 'Acknowledgement'", ("intake", intakeId)))!;
}

/// <summary>Which process holds a TCP connection, from Linux's /proc (the socket's inode, among the process's open files).</summary>
internal static class SocketOwner
{
    public static bool Holds(int processId, int localPort, int remotePort)
    {
        var inodes = new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[1].Contains(':', StringComparison.Ordinal) && Port(f[1]) == localPort && Port(f[2]) == remotePort)
            .Select(f => "socket:[" + f[9] + "]")
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(inodes.Count > 0, $"no TCP connection from port {localPort} to {remotePort} is open");
        return Directory.EnumerateFiles($"/proc/{processId}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target));
    }

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
