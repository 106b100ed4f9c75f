namespace Gate.Client;

/// <summary>How a guarded tool call ended. Only <see cref="Executed"/> and <see cref="ExecutionFailed"/> ran the tool.</summary>
public enum GuardedOutcome
{
    /// <summary>Allowed or approved, token verified, the tool ran and returned.</summary>
    Executed,

    /// <summary>Allowed or approved, token verified, the tool ran and threw (reported to Gate as FAILED).</summary>
    ExecutionFailed,

    /// <summary>The policy blocks the call (DENIED); the tool did not run.</summary>
    Denied,

    /// <summary>An approver rejected the call (REJECTED); the tool did not run.</summary>
    Rejected,

    /// <summary>Nobody decided before the deadline (EXPIRED); the tool did not run.</summary>
    Expired,

    /// <summary>The approval was withdrawn (CANCELLED); the tool did not run.</summary>
    Cancelled,

    /// <summary>Gate said ALLOWED or APPROVED, but the token does not verify for this tool, tenant and arguments; the tool did not run.</summary>
    VerificationFailed,

    /// <summary>
    /// This call id's outcome was already reported (EXECUTED or FAILED): an earlier attempt ran it, so
    /// it does not run again.
    /// </summary>
    AlreadyReported,
}
