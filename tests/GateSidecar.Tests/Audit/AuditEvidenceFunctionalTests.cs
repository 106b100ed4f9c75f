using Gate.Client;
using Gate.Client.Evidence;
using Gate.V1;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Hosting;
using GateSidecar.Tests.Approvals.Functional;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Tests.Audit;

/// <summary>The audit trail of a running sidecar, checked through <c>gate.v1.Audit</c> over real gRPC.</summary>
public sealed class AuditEvidenceFunctionalTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<ApprovalSidecar> _sidecars = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var sidecar in _sidecars)
        {
            await sidecar.DisposeAsync();
        }
    }

    [Fact]
    public async Task Verify_EntryChangedInTheDatabaseOfARunningSidecar_FailsNamingIt()
    {
        var sidecar = await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100 + i)).WaitAsync(Wait);
        }

        var audit = new AuditClient(sidecar.Channel);
        Assert.True((await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait)).Ok);
        RewriteEntry(sidecar, 3, e => e.Actor = "policy:forged");

        var verify = await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait);

        Assert.Equal((false, 3L, 3L), (verify.Ok, verify.FirstBadSeq, verify.EntriesChecked));
        Assert.StartsWith("changed: entry seq 3", verify.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportOutcome_OtherArguments_IsRefusedAuditedAndChangesNothing()
    {
        var sidecar = await StartAsync();
        var call = ApprovalSidecar.Refund(100);
        var allowed = await sidecar.Gate.CheckAsync(call).WaitAsync(Wait);
        var other = ApprovalSidecar.Refund(499).Arguments;

        var refused = await Assert.ThrowsAsync<RpcException>(() => sidecar.Gate.ReportOutcomeAsync(
            new ReportOutcomeRequest { Token = allowed.Token, Outcome = Outcome.Succeeded, ExecutedArguments = other })).WaitAsync(Wait);

        Assert.Equal(StatusCode.PermissionDenied, refused.Status);
        var approval = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = allowed.ApprovalId }).WaitAsync(Wait);
        Assert.Equal((ApprovalState.Allowed, 1L), (approval.State, approval.Seq));
        var audit = new AuditClient(sidecar.Channel);
        var events = (await audit.ListEventsAsync(new ListEventsRequest { ApprovalId = allowed.ApprovalId }).WaitAsync(Wait)).Events;
        Assert.Equal(["created", "allowed", "refused"], events.Select(e => e.Type));
        var entry = events[2];
        Assert.Equal(("agent:agent-7", "DENY", ArgsHash.Compute(other)), (entry.Actor, entry.Verdict, entry.ArgsSha256));
        Assert.Contains(ArgsHash.Compute(call.Arguments), entry.Reason, StringComparison.Ordinal);
        Assert.True((await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait)).Ok);

        // The token was not consumed: the approved arguments can still be reported.
        var reported = await sidecar.Gate.ReportOutcomeAsync(
            new ReportOutcomeRequest { Token = allowed.Token, Outcome = Outcome.Succeeded, ExecutedArguments = call.Arguments }).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Executed, reported.Approval.State);
    }

    [Fact]
    public async Task AuditRetentionFlag_PrunesBehindASignedCheckpoint_VerifyStaysOkUntilTheCheckpointIsAltered()
    {
        var sidecar = await StartAsync(o => o with { AuditRetention = TimeSpan.FromSeconds(1) });
        for (var i = 0; i < 3; i++)
        {
            await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100 + i)).WaitAsync(Wait);
        }

        var audit = new AuditClient(sidecar.Channel);
        var first = await WaitUntilAsync(async () =>
        {
            var events = (await audit.ListEventsAsync(new ListEventsRequest()).WaitAsync(Wait)).Events;
            return events.Count == 1 ? events[0] : null;
        });

        Assert.Equal(6, first.Seq);
        var verify = await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait);
        Assert.True(verify.Ok, verify.Detail);
        Assert.Equal(1, verify.EntriesChecked);
        Assert.Contains("checkpoint through seq 5", verify.Detail, StringComparison.Ordinal);

        Execute(sidecar, "UPDATE audit_checkpoint SET through_seq = 4;");
        var altered = await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait);
        Assert.Equal((false, 4L), (altered.Ok, altered.FirstBadSeq));
        Assert.Contains("does not match its signature", altered.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListEvents_PageTokenNotIssuedByTheServer_IsInvalidArgumentSayingWhatToPass()
    {
        var sidecar = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => new AuditClient(sidecar.Channel).ListEventsAsync(new ListEventsRequest { PageToken = "x7" })).WaitAsync(Wait);

        Assert.Equal(StatusCode.InvalidArgument, error.Status);
        Assert.Contains("next_page_token", error.Detail, StringComparison.Ordinal);
    }

    private async Task<ApprovalSidecar> StartAsync(Func<GateOptions, GateOptions>? configure = null)
    {
        var sidecar = await ApprovalSidecar.StartAsync(configure: configure);
        _sidecars.Add(sidecar);
        return sidecar;
    }

    private static async Task<T> WaitUntilAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the condition did not hold within {Wait}");
    }

    private static void RewriteEntry(ApprovalSidecar sidecar, long seq, Action<AuditEvent> change)
    {
        using var connection = Open(sidecar);
        using var select = SqliteApprovalStore.Command(connection, "SELECT data FROM audit WHERE seq = $seq;", ("$seq", seq));
        var entry = AuditEvent.Parser.ParseFrom((byte[])select.ExecuteScalar()!);
        change(entry);
        using var update = SqliteApprovalStore.Command(connection, "UPDATE audit SET data = $data WHERE seq = $seq;", ("$data", entry.ToByteArray()), ("$seq", seq));
        Assert.Equal(1, update.ExecuteNonQuery());
    }

    private static void Execute(ApprovalSidecar sidecar, string sql)
    {
        using var connection = Open(sidecar);
        using var command = SqliteApprovalStore.Command(connection, sql);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private static SqliteConnection Open(ApprovalSidecar sidecar)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(sidecar.Directory, "gate.db")};Pooling=False");
        connection.Open();
        return connection;
    }
}
