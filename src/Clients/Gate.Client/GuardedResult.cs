using Gate.Client.Evidence;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client;

/// <summary>The result of <see cref="GuardedExecutor.RunAsync{T}"/>: what happened to the call, and the tool's value when it ran.</summary>
/// <typeparam name="T">What the tool returns.</typeparam>
public sealed class GuardedResult<T>
{
    internal GuardedResult(GuardedOutcome outcome, ApprovalEvent terminal, string reason)
    {
        Outcome = outcome;
        ApprovalId = terminal.ApprovalId;
        State = terminal.State;
        Approval = terminal.Approval;
        Reason = reason;
    }

    /// <summary>How the call ended.</summary>
    public GuardedOutcome Outcome { get; }

    /// <summary>Whether the tool ran (<see cref="GuardedOutcome.Executed"/> or <see cref="GuardedOutcome.ExecutionFailed"/>).</summary>
    public bool Ran => Outcome is GuardedOutcome.Executed or GuardedOutcome.ExecutionFailed;

    /// <summary>What the tool returned; default unless <see cref="Outcome"/> is <see cref="GuardedOutcome.Executed"/>.</summary>
    public T? Value { get; internal init; }

    /// <summary>Gate's record of the call.</summary>
    public string ApprovalId { get; }

    /// <summary>The terminal state Gate streamed (ALLOWED, APPROVED, DENIED, REJECTED, EXPIRED, CANCELLED, EXECUTED or FAILED).</summary>
    public ApprovalState State { get; }

    /// <summary>The approval as of that terminal event (decisions, edit, diff, reason).</summary>
    public Approval? Approval { get; }

    /// <summary>
    /// Why the tool did not run (the policy's trigger, the rejection reason, the token problem), or
    /// the policy's reason for letting it run.
    /// </summary>
    public string Reason { get; }

    /// <summary>The arguments the tool ran with: the proposal, or the approver's edit. Null when it did not run.</summary>
    public Struct? Arguments { get; internal init; }

    /// <summary>Whether an approver edited the arguments before approving.</summary>
    public bool Edited => Approval?.Edited ?? false;

    /// <summary>Why the token was refused, for <see cref="GuardedOutcome.VerificationFailed"/>.</summary>
    public TokenFailure TokenFailure { get; internal init; }

    /// <summary>What the tool threw, for <see cref="GuardedOutcome.ExecutionFailed"/>.</summary>
    public Exception? Exception { get; internal init; }

    /// <summary>
    /// Set when the tool ran but reporting its outcome to Gate failed: the side effect happened and the
    /// approval is not closed yet; report again with <see cref="Token"/> (it is single use, so a
    /// second report of an already recorded outcome fails with ALREADY_EXISTS).
    /// </summary>
    public RpcException? ReportError { get; internal init; }

    /// <summary>The verified token the tool ran under; empty when it did not run.</summary>
    public string Token { get; internal init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{Outcome} ({ApprovalId}): {Reason}";
}
