using System.Security.Cryptography;
using Gate.Client;
using Gate.Client.Evidence;
using Gate.V1;
using GateSidecar.Tests.Approvals.Functional;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Client;

/// <summary>
/// Guarded execution against the whole sidecar: the tool runs exactly when Gate allows or approves
/// the call and its token verifies for the arguments that run, and never otherwise.
/// </summary>
public sealed class GuardedExecutorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<Struct> _runs = [];
    private readonly TaskCompletionSource<ApprovalEvent> _pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ApprovalSidecar _sidecar = null!;
    private GuardedExecutor _executor = null!;

    public async ValueTask InitializeAsync()
    {
        _sidecar = await ApprovalSidecar.StartAsync();
        _executor = new GuardedExecutor(_sidecar.Gate, _sidecar.HttpAddress, new GuardedExecutorOptions { OnEvent = OnEvent });
    }

    public async ValueTask DisposeAsync()
    {
        _executor.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_AutoPass_RunsOnceWithTheProposalAndReportsExecuted()
    {
        var call = ApprovalSidecar.Refund(120);

        var result = await _executor.RunAsync(call, RefundAsync).WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.Executed, ApprovalState.Allowed, "refund-1"), (result.Outcome, result.State, result.Value));
        Assert.True(result.Ran);
        Assert.Null(result.ReportError);
        var ran = Assert.Single(_runs);
        Assert.Equal(call.Arguments, ran);
        Assert.Equal(ApprovalState.Executed, (await GetAsync(result.ApprovalId)).State);
        var executed = Assert.Single(await AuditAsync(result.ApprovalId), e => e.Type == "executed");
        Assert.Equal(ArgsHash.Compute(call.Arguments), executed.ArgsSha256);
    }

    [Fact]
    public async Task RunAsync_GatedThenApproved_WaitsAndRunsWithTheApprovedArguments()
    {
        var call = ApprovalSidecar.Refund(900);
        var running = _executor.RunAsync(call, RefundAsync);

        var pending = await _pending.Task.WaitAsync(Wait);
        Assert.Empty(_runs);
        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = pending.ApprovalId, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        var result = await running.WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.Executed, ApprovalState.Approved, false), (result.Outcome, result.State, result.Edited));
        Assert.Equal(900, Assert.Single(_runs).Fields["amount"].NumberValue);
        Assert.Equal(ApprovalState.Executed, (await GetAsync(result.ApprovalId)).State);
    }

    [Fact]
    public async Task RunAsync_EditedThenApproved_RunsWithTheEditAndKeepsRedactedValues()
    {
        var call = ApprovalSidecar.Refund(900);
        var running = _executor.RunAsync(call, RefundAsync);
        var pending = await _pending.Task.WaitAsync(Wait);

        var edit = new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(450),
                ["customer_id"] = Value.ForString("c-42"),
                ["card_number"] = Value.ForString("***"),
            },
        };
        await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = pending.ApprovalId, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edit }).WaitAsync(Wait);
        var result = await running.WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.Executed, true), (result.Outcome, result.Edited));
        var ran = Assert.Single(_runs);
        Assert.Equal(450, ran.Fields["amount"].NumberValue);
        Assert.Equal("4111111111111111", ran.Fields["card_number"].StringValue);
        Assert.Equal(ran, result.Arguments);
        var executed = Assert.Single(await AuditAsync(result.ApprovalId), e => e.Type == "executed");
        Assert.Equal(ArgsHash.Compute(ran), executed.ArgsSha256);
        Assert.NotEqual(ArgsHash.Compute(call.Arguments), executed.ArgsSha256);
    }

    [Fact]
    public async Task RunAsync_Rejected_NeverRunsAndSaysWhy()
    {
        var running = _executor.RunAsync(ApprovalSidecar.Refund(900), RefundAsync);
        var pending = await _pending.Task.WaitAsync(Wait);

        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = pending.ApprovalId, Verdict = DecisionVerdict.Reject, Reason = "customer already refunded" }).WaitAsync(Wait);
        var result = await running.WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.Rejected, false), (result.Outcome, result.Ran));
        Assert.Equal("rejected by alice: customer already refunded", result.Reason);
        Assert.Empty(_runs);
    }

    [Fact]
    public async Task RunAsync_DeadlinePassesWithoutDecision_NeverRuns()
    {
        var result = await _executor.RunAsync(ApprovalSidecar.Call("test.quick_deny"), RefundAsync).WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.Expired, ApprovalState.Expired), (result.Outcome, result.State));
        Assert.Empty(_runs);
    }

    [Fact]
    public async Task RunAsync_BlockedByPolicy_NeverRuns()
    {
        var result = await _executor.RunAsync(ApprovalSidecar.Refund(5_000_000), RefundAsync).WaitAsync(Wait);

        Assert.Equal(GuardedOutcome.Denied, result.Outcome);
        Assert.Contains("forbidden-refund", result.Approval!.Rule, StringComparison.Ordinal);
        Assert.Empty(_runs);
    }

    [Fact]
    public async Task RunAsync_WithdrawnWhilePending_NeverRuns()
    {
        var running = _executor.RunAsync(ApprovalSidecar.Refund(900), RefundAsync);
        var pending = await _pending.Task.WaitAsync(Wait);

        await _sidecar.Gate.CancelAsync(new CancelRequest { ApprovalId = pending.ApprovalId, Reason = "user changed their mind" }).WaitAsync(Wait);
        var result = await running.WaitAsync(Wait);

        Assert.Equal(GuardedOutcome.Cancelled, result.Outcome);
        Assert.Empty(_runs);
    }

    [Fact]
    public async Task RunAsync_TokenNotSignedByTheTrustedKeys_NeverRunsAndLeavesTheTokenUnused()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var impostorVerifier = new TokenVerifier([otherKey]);
        using var pinned = new GuardedExecutor(_sidecar.Gate, impostorVerifier);

        var result = await pinned.RunAsync(ApprovalSidecar.Refund(120), RefundAsync).WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.VerificationFailed, TokenFailure.UnknownKey), (result.Outcome, result.TokenFailure));
        Assert.Contains("not among the published keys", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_runs);
        Assert.Equal(ApprovalState.Allowed, (await GetAsync(result.ApprovalId)).State);
    }

    [Fact]
    public async Task RunAsync_ToolThrows_ReportsFailedWithTheMessage()
    {
        var result = await _executor.RunAsync<string>(
            ApprovalSidecar.Refund(80),
            (_, _) => throw new InvalidOperationException("payment provider answered 502")).WaitAsync(Wait);

        Assert.Equal((GuardedOutcome.ExecutionFailed, true), (result.Outcome, result.Ran));
        Assert.IsType<InvalidOperationException>(result.Exception);
        Assert.Null(result.ReportError);
        Assert.Equal(ApprovalState.Failed, (await GetAsync(result.ApprovalId)).State);
        var failed = Assert.Single(await AuditAsync(result.ApprovalId), e => e.Type == "failed");
        Assert.Equal("InvalidOperationException: payment provider answered 502", failed.Reason);
    }

    [Fact]
    public async Task RunAsync_SameCallIdAfterItRan_DoesNotRunAgain()
    {
        var call = ApprovalSidecar.Refund(60);
        var first = await _executor.RunAsync(call, RefundAsync).WaitAsync(Wait);

        var retry = await _executor.RunAsync(call, RefundAsync).WaitAsync(Wait);

        Assert.Equal(GuardedOutcome.Executed, first.Outcome);
        Assert.Equal((GuardedOutcome.AlreadyReported, ApprovalState.Executed), (retry.Outcome, retry.State));
        Assert.Equal(first.ApprovalId, retry.ApprovalId);
        Assert.Single(_runs);
    }

    [Fact]
    public async Task RunAsync_JwksUnreachable_ThrowsAndNeverRuns()
    {
        using var unreachable = new GuardedExecutor(_sidecar.Gate, new Uri("http://127.0.0.1:9/"));

        await Assert.ThrowsAsync<HttpRequestException>(() => unreachable.RunAsync(ApprovalSidecar.Refund(70), RefundAsync)).WaitAsync(Wait);

        Assert.Empty(_runs);
    }

    private Task<string> RefundAsync(Struct arguments, CancellationToken cancellationToken)
    {
        lock (_runs)
        {
            _runs.Add(arguments);
            return Task.FromResult("refund-" + _runs.Count);
        }
    }

    private void OnEvent(ApprovalEvent evt)
    {
        if (evt.State == ApprovalState.Pending)
        {
            _pending.TrySetResult(evt);
        }
    }

    private Task<Approval> GetAsync(string approvalId) =>
        _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = approvalId }).WaitAsync(Wait);

    private async Task<List<AuditEvent>> AuditAsync(string approvalId) =>
        [.. (await new AuditClient(_sidecar.Channel).ListEventsAsync(new ListEventsRequest { ApprovalId = approvalId }).WaitAsync(Wait)).Events];
}
