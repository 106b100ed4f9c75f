using Gate.Client.Evidence;
using Gate.Client.Internal;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client;

/// <summary>
/// Runs a tool call only when Gate authorises it: asks with <c>Guard</c>, waits for the terminal
/// event (an approver may take minutes), verifies the token offline against Gate's published keys
/// — for this tool, this tenant and exactly the arguments that will run — then runs the tool with
/// those arguments (the approver's edit when there was one) and reports the outcome, which consumes
/// the token. The tool never runs on anything but a verified ALLOWED or APPROVED. Thread-safe.
/// </summary>
/// <remarks>
/// Retrying <see cref="RunAsync{T}"/> with the same <c>call_id</c> (after a crash or a lost
/// connection) re-attaches to the same approval instead of creating another; a call whose outcome
/// was already reported returns <see cref="GuardedOutcome.AlreadyReported"/> and does not run again.
/// </remarks>
public sealed class GuardedExecutor : IDisposable
{
    private const int MaxDetailLength = 1000;

    private readonly GateClient _gate;
    private readonly VerifierSource _verifiers;
    private readonly GuardedExecutorOptions _options;

    /// <summary>
    /// Creates an executor that verifies tokens with the keys Gate publishes at
    /// <paramref name="jwksEndpoint"/> (the HTTP port's base address, e.g. <c>http://127.0.0.1:7080</c>,
    /// or the full <c>/.well-known/jwks.json</c> address), fetched on first use and cached.
    /// </summary>
    public GuardedExecutor(GateClient gate, Uri jwksEndpoint, GuardedExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(jwksEndpoint);
        _gate = gate;
        _options = options ?? new GuardedExecutorOptions();
        _options.Validate();
        _verifiers = VerifierSource.FromJwks(jwksEndpoint, _options.HttpClient, _options.VerifierOptions, _options.JwksRefreshInterval);
    }

    /// <summary>Creates an executor that verifies tokens with <paramref name="verifier"/> (pinned keys; the caller keeps and disposes it).</summary>
    public GuardedExecutor(GateClient gate, TokenVerifier verifier, GuardedExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(verifier);
        _gate = gate;
        _options = options ?? new GuardedExecutorOptions();
        _options.Validate();
        _verifiers = VerifierSource.Fixed(verifier);
    }

    /// <summary>
    /// Asks Gate about <paramref name="call"/> and, once it is allowed or approved and its token
    /// verifies, runs <paramref name="execute"/> with the arguments that may run, then reports the
    /// outcome. Whatever happens to the call is returned as a value; the tool's own exception is
    /// caught, reported as FAILED and returned in <see cref="GuardedResult{T}.Exception"/>.
    /// </summary>
    /// <param name="call">The proposed call; <c>call_id</c> is its idempotency key.</param>
    /// <param name="execute">The tool: receives the final arguments (a copy) and the cancellation token.</param>
    /// <param name="cancellationToken">Stops waiting (the approval stays; retry with the same call id to re-attach).</param>
    /// <exception cref="RpcException">Gate could not be asked or the stream broke before a terminal event; the tool did not run.</exception>
    /// <exception cref="HttpRequestException">Gate's JWKS could not be fetched; the tool did not run.</exception>
    public async Task<GuardedResult<T>> RunAsync<T>(CheckRequest call, Func<Struct, CancellationToken, Task<T>> execute, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(execute);

        // 1. Ask and wait: the stream ends with the call's terminal event.
        var terminal = await WaitForTerminalAsync(call, cancellationToken).ConfigureAwait(false);
        var approval = terminal.Approval ?? new Approval();
        switch (terminal.State)
        {
            case ApprovalState.Allowed or ApprovalState.Approved:
                break;
            case ApprovalState.Denied:
                return new GuardedResult<T>(GuardedOutcome.Denied, terminal, approval.Reason);
            case ApprovalState.Rejected:
                return new GuardedResult<T>(GuardedOutcome.Rejected, terminal, RejectionReason(approval));
            case ApprovalState.Expired:
                return new GuardedResult<T>(GuardedOutcome.Expired, terminal, $"nobody decided before the deadline ({approval.Reason})");
            case ApprovalState.Cancelled:
                return new GuardedResult<T>(GuardedOutcome.Cancelled, terminal, "the approval was withdrawn");
            case ApprovalState.Executed or ApprovalState.Failed:
                return new GuardedResult<T>(GuardedOutcome.AlreadyReported, terminal, $"call {call.CallId} was already run and reported ({terminal.State})");
            default:
                throw new RpcException(StatusCode.Internal, $"Gate ended the stream of approval {terminal.ApprovalId} in state {terminal.State}, which is not terminal");
        }

        // 2. Verify offline: the token must authorise this tool, tenant and exactly these arguments.
        var arguments = approval.FinalArguments ?? call.Arguments ?? new Struct();
        var verification = await VerifyAsync(approval.Token, call, arguments, cancellationToken).ConfigureAwait(false);
        if (!verification.Valid)
        {
            return new GuardedResult<T>(GuardedOutcome.VerificationFailed, terminal, verification.Error!)
            {
                TokenFailure = verification.Failure,
            };
        }

        if (!string.Equals(verification.Claims!.ApprovalId, terminal.ApprovalId, StringComparison.Ordinal))
        {
            return new GuardedResult<T>(GuardedOutcome.VerificationFailed, terminal, $"the token belongs to approval {verification.Claims.ApprovalId}, not {terminal.ApprovalId}")
            {
                TokenFailure = TokenFailure.ArgumentsMismatch,
            };
        }

        // 3. Run with the verified arguments, then report (which consumes the token).
        T value;
        try
        {
            value = await execute(arguments.Clone(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var failedReport = await ReportAsync(approval.Token, Outcome.Failed, Detail(ex), arguments).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return new GuardedResult<T>(GuardedOutcome.ExecutionFailed, terminal, approval.Reason)
            {
                Arguments = arguments,
                Exception = ex,
                ReportError = failedReport,
                Token = approval.Token,
            };
        }

        var report = await ReportAsync(approval.Token, Outcome.Succeeded, string.Empty, arguments).ConfigureAwait(false);
        return new GuardedResult<T>(GuardedOutcome.Executed, terminal, approval.Reason)
        {
            Value = value,
            Arguments = arguments,
            ReportError = report,
            Token = approval.Token,
        };
    }

    /// <summary>Disposes the cached verifiers (not a verifier or HTTP client the caller passed in).</summary>
    public void Dispose() => _verifiers.Dispose();

    private async Task<ApprovalEvent> WaitForTerminalAsync(CheckRequest call, CancellationToken cancellationToken)
    {
        ApprovalEvent? last = null;
        await foreach (var evt in _gate.Guard(call, new CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false))
        {
            last = evt;
            _options.OnEvent?.Invoke(evt);
            if (IsTerminal(evt.State))
            {
                return evt;
            }
        }

        throw new RpcException(
            StatusCode.Unavailable,
            last is null
                ? $"Gate ended the Guard stream of call {call.CallId} without any event; retry with the same call_id"
                : $"Gate ended the Guard stream of approval {last.ApprovalId} while it was {last.State}; retry with the same call_id to re-attach");
    }

    private async Task<TokenVerification> VerifyAsync(string token, CheckRequest call, Struct arguments, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenVerification.Fail(TokenFailure.Malformed, "Gate sent ALLOWED or APPROVED without a token, so nothing authorises running the call");
        }

        var tenant = call.Agent?.Tenant ?? string.Empty;
        var verifier = await _verifiers.GetAsync(cancellationToken).ConfigureAwait(false);
        var verification = verifier.Verify(token, call.Tool, arguments, tenant);
        if (verification.Failure == TokenFailure.UnknownKey
            && await _verifiers.RefreshAsync(verifier, cancellationToken).ConfigureAwait(false) is { } refreshed)
        {
            verification = refreshed.Verify(token, call.Tool, arguments, tenant);
        }

        return verification;
    }

    private async Task<RpcException?> ReportAsync(string token, Outcome outcome, string detail, Struct arguments)
    {
        try
        {
            await _gate.ReportOutcomeAsync(
                new ReportOutcomeRequest { Token = token, Outcome = outcome, Detail = detail, ExecutedArguments = arguments },
                CallOptions.WithTimeout(_options.ReportTimeout)).ConfigureAwait(false);
            return null;
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    private static bool IsTerminal(ApprovalState state) =>
        state is ApprovalState.Allowed or ApprovalState.Approved or ApprovalState.Denied or ApprovalState.Rejected
            or ApprovalState.Expired or ApprovalState.Cancelled or ApprovalState.Executed or ApprovalState.Failed;

    private static string RejectionReason(Approval approval)
    {
        for (var i = approval.Decisions.Count - 1; i >= 0; i--)
        {
            var decision = approval.Decisions[i];
            if (decision.Verdict == DecisionVerdict.Reject)
            {
                return $"rejected by {decision.Approver}: {decision.Reason}";
            }
        }

        return "rejected";
    }

    private static string Detail(Exception ex)
    {
        var detail = $"{ex.GetType().Name}: {ex.Message}";
        return detail.Length <= MaxDetailLength ? detail : detail[..MaxDetailLength];
    }
}
