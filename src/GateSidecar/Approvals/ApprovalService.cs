using System.Runtime.CompilerServices;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using GateSidecar.Policy;
using GateSidecar.Telemetry;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals;

/// <summary>
/// Orchestrates the approval lifecycle: evaluates the policy, asks the state machine for the next
/// record, signs tokens, and persists with compare-and-set (re-deciding on a conflict, so exactly
/// one of several racing changes wins). Transport-agnostic: gRPC and HTTP handlers call it and map
/// its <see cref="ApprovalError"/> values to status codes.
/// </summary>
internal sealed partial class ApprovalService(
    IApprovalStore store,
    Func<CompiledPolicy> policy,
    IApprovalTokens tokens,
    ChangeFeed feed,
    TimeProvider time,
    ILogger<ApprovalService> logger,
    OutageBuffer? outageBuffer = null)
{
    private const int MaxAttempts = 16;
    private readonly ApprovalStateMachine _machine = new(time);
    private readonly HeldRecords _held = new();

    public IApprovalStore Store => store;

    public CompiledPolicy Policy => policy();

    /// <summary>Evaluate and record a call. Never waits for a person.</summary>
    public ValueTask<Result<(CheckResponse Response, StoredApproval Record)>> CheckAsync(CheckRequest request, CancellationToken cancellationToken) =>
        CheckAsync(request, callerTraceParent: null, cancellationToken);

    /// <summary>
    /// Evaluate and record a call; <paramref name="callerTraceParent"/> (the agent's W3C traceparent)
    /// ties a pending approval to the agent's trace when Gate itself is not tracing.
    /// </summary>
    public ValueTask<Result<(CheckResponse Response, StoredApproval Record)>> CheckAsync(CheckRequest request, string? callerTraceParent, CancellationToken cancellationToken) =>
        CheckAsync(request, callerTraceParent, ApprovalIds.New(time), cancellationToken);

    /// <summary>
    /// Check for a Guard stream. The new approval's id is chosen and listened on before the record is
    /// written, so when this call creates it the stream starts from the created record with every
    /// later change queued, without reading it back. A retried call id (the existing approval is
    /// returned) or an error leaves no listener: the stream then reads the record like Watch.
    /// </summary>
    public async ValueTask<Result<GuardStart>> StartGuardAsync(CheckRequest request, string? callerTraceParent, CancellationToken cancellationToken)
    {
        var approvalId = ApprovalIds.New(time);
        var listener = feed.Listen(approvalId);
        try
        {
            var result = await CheckAsync(request, callerTraceParent, approvalId, cancellationToken).ConfigureAwait(false);
            if (!result.Ok)
            {
                listener.Dispose();
                return result.Error!;
            }

            var record = result.Value.Record;
            if (record.Approval.ApprovalId != approvalId)
            {
                listener.Dispose();
                return new GuardStart(record, null);
            }

            return new GuardStart(record, listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async ValueTask<Result<(CheckResponse Response, StoredApproval Record)>> CheckAsync(CheckRequest request, string? callerTraceParent, string approvalId, CancellationToken cancellationToken)
    {
        using var probe = CheckProbe.Start(request, time);
        if (CheckValidator.Validate(request) is { } invalid)
        {
            return probe.Failed(invalid);
        }

        var compiled = policy();
        var decision = compiled.Evaluate(request);
        var actor = "agent:" + (request.Agent?.AgentId ?? string.Empty);
        var transition = _machine.Create(approvalId, request, decision, compiled.RedactPaths, actor);
        if (transition.NeedsToken)
        {
            AttachToken(transition.Record);
        }
        else if (transition.Record.Approval.State == ApprovalState.Pending)
        {
            transition.Record.TraceParent = ApprovalTelemetry.TraceParentFor(callerTraceParent);
        }

        var result = await Guarded(store.CreateAsync(transition.Record, transition.Audit, cancellationToken)).ConfigureAwait(false);
        if (!result.Ok)
        {
            if (result.Error!.Kind == ApprovalErrorKind.Unavailable && decision.Tier == RiskTier.Auto
                && outageBuffer is not null && outageBuffer.TryAdd(transition.Record, transition.Audit))
            {
                // Opt-in: auto-pass calls go through during a store outage; the record is written later.
                probe.Succeeded(transition.Record, created: true);
                return (ToResponse(transition.Record), transition.Record);
            }

            return probe.Failed(result.Error!);
        }

        var record = result.Value.Record;
        probe.Succeeded(record, result.Value.Created);
        if (result.Value.Created && !transition.NeedsToken && decision.Tier != RiskTier.Block)
        {
            _held.Hold(record);
            LogPending(logger, record.Approval.ApprovalId, record.Approval.Request.Tool, record.Approval.Pool, record.Approval.Rule, ApprovalTelemetry.TraceId(record));
        }

        return (ToResponse(record), record);
    }

    public async ValueTask<Result<StoredApproval>> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(approvalId))
        {
            return ApprovalError.Invalid("approval_id is required");
        }

        var found = await Guarded(store.GetAsync(approvalId, cancellationToken)).ConfigureAwait(false);
        if (!found.Ok)
        {
            return found.Error!;
        }

        return found.Value is null ? ApprovalError.NotFound(approvalId) : found.Value;
    }

    public ValueTask<Result<StoredApproval>> CancelAsync(CancelRequest request, string actor, CancellationToken cancellationToken) =>
        ApplyAsync(request.ApprovalId, (machine, current, _) => machine.Cancel(current, actor, request.Reason), cancellationToken);

    public async ValueTask<Result<StoredApproval>> DecideAsync(string approverId, DecideRequest request, CancellationToken cancellationToken)
    {
        using var span = ApprovalTelemetry.StartDecide(approverId, request);
        var started = ApprovalTelemetry.DecisionStarted();
        Result<StoredApproval> result;
        if (request.Verdict == DecisionVerdict.Unspecified)
        {
            result = ApprovalError.Invalid("verdict is required: APPROVE, REJECT, EDIT_AND_APPROVE or ESCALATE");
        }
        else if (request.Verdict != DecisionVerdict.EditAndApprove && request.EditedArguments is not null)
        {
            result = ApprovalError.Invalid("edited_arguments is only allowed with EDIT_AND_APPROVE");
        }
        else
        {
            result = await ApplyAsync(
                request.ApprovalId,
                (machine, current, p) =>
                {
                    ApprovalTelemetry.LinkApproval(span, current);
                    return machine.Decide(current, approverId, request, p);
                },
                cancellationToken).ConfigureAwait(false);
        }

        ApprovalTelemetry.EndDecide(span, started, request.Verdict, result);
        return result;
    }

    /// <summary>Applies a due deadline (escalate or expire). False when nothing was due.</summary>
    public async ValueTask<bool> ApplyTimeoutAsync(string approvalId, StoredApproval? listed, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // The record read with the due listing serves the first try; a lost compare-and-set reads anew.
            var current = attempt == 0 && listed is not null ? listed : await store.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return false;
            }

            var transition = _machine.Timeout(current);
            if (transition is null)
            {
                return false;
            }

            if (await store.TryUpdateAsync(transition.Record, transition.ExpectedSeq, transition.Audit, cancellationToken).ConfigureAwait(false))
            {
                _held.Hold(transition.Record); // an escalation stays open: its decision starts from it
                ApprovalTelemetry.Transitioned(current, transition.Record);
                LogTimeout(logger, approvalId, ApprovalStates.Name(transition.Record.Approval.State), transition.Record.Approval.Pool, ApprovalTelemetry.TraceId(current));
                return true;
            }
        }

        return false;
    }

    /// <summary>Consumes a token once and records EXECUTED or FAILED.</summary>
    public async ValueTask<Result<StoredApproval>> ReportOutcomeAsync(ReportOutcomeRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            return ApprovalError.Invalid("token is required: pass the token received with ALLOW or APPROVED");
        }

        var claims = tokens.Read(request.Token);
        if (!claims.Ok)
        {
            return claims.Error!;
        }

        var found = await GetAsync(claims.Value!.ApprovalId, cancellationToken).ConfigureAwait(false);
        if (!found.Ok)
        {
            return found.Error!;
        }

        if (found.Value!.TokenJti != claims.Value.Jti)
        {
            var message = "the token is not the one issued for this approval";
            await RecordRefusalAsync(found.Value, claims.Value.ArgsSha256, message, cancellationToken).ConfigureAwait(false);
            return ApprovalError.Denied(message);
        }

        if (request.ExecutedArguments is not null)
        {
            var executed = Gate.Client.Evidence.ArgsHash.Compute(request.ExecutedArguments);
            if (!string.Equals(executed, claims.Value.ArgsSha256, StringComparison.Ordinal))
            {
                LogArgumentsMismatch(logger, claims.Value.ApprovalId, executed, claims.Value.ArgsSha256, ApprovalTelemetry.TraceId(found.Value));
                var message = $"executed_arguments hash to {executed} but the token allows {claims.Value.ArgsSha256}: only the approved arguments may run";
                await RecordRefusalAsync(found.Value, executed, message, cancellationToken).ConfigureAwait(false);
                return ApprovalError.Denied(message);
            }
        }

        if (found.Value.Approval.State is ApprovalState.Executed or ApprovalState.Failed)
        {
            return new ApprovalError(ApprovalErrorKind.AlreadyExists, "this token was already reported: a token is single use");
        }

        var consumed = await Guarded(store.TryConsumeTokenAsync(claims.Value.Jti, claims.Value.ExpiresAt, cancellationToken)).ConfigureAwait(false);
        if (!consumed.Ok)
        {
            return consumed.Error!;
        }

        if (!consumed.Value)
        {
            return new ApprovalError(ApprovalErrorKind.AlreadyExists, "this token was already reported: a token is single use");
        }

        var actor = "agent:" + (found.Value.Approval.Request?.Agent?.AgentId ?? string.Empty);
        return await ApplyAsync(claims.Value.ApprovalId, (machine, current, _) => machine.ReportOutcome(current, request.Outcome, request.Detail, actor), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The approval's events: first its current state, then every committed change, until a state
    /// that ends the stream. Rapid successive changes may arrive as one event (seq tells).
    /// </summary>
    public IAsyncEnumerable<ApprovalEvent> WatchAsync(string approvalId, CancellationToken cancellationToken) =>
        EventsAsync(approvalId, null, cancellationToken);

    /// <summary>
    /// A Guard stream's events: from the created record when <see cref="StartGuardAsync"/> created it
    /// (the listener it registered before the write is taken over and disposed with the stream),
    /// otherwise as <see cref="WatchAsync(string, CancellationToken)"/>.
    /// </summary>
    public IAsyncEnumerable<ApprovalEvent> WatchAsync(GuardStart start, CancellationToken cancellationToken) =>
        EventsAsync(start.Record.Approval.ApprovalId, start.Listener is null ? null : start, cancellationToken);

    private async IAsyncEnumerable<ApprovalEvent> EventsAsync(string approvalId, GuardStart? seeded, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var listener = seeded?.Listener ?? feed.Listen(approvalId);
        var current = seeded?.Record ?? await store.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            yield break;
        }

        yield return ToEvent(current);
        var lastSeq = current.Approval.Seq;
        var state = current.Approval.State;
        while (!ApprovalStates.EndsStream(state))
        {
            // Wait for a change notification, or re-read anyway after a while: a change committed by
            // another sidecar while this one's subscription was down longer than the Redis change
            // log reaches back is never announced here.
            var change = await WaitForChangeAsync(listener, lastSeq, cancellationToken).ConfigureAwait(false);
            var next = change?.Committed();
            if (next is null)
            {
                try
                {
                    next = await store.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreUnavailableException) when (change is null)
                {
                    // The stream survives a store outage; the next re-read or notification catches up.
                    continue;
                }
            }

            if (next is null)
            {
                yield break;
            }

            if (next.Approval.Seq <= lastSeq)
            {
                continue;
            }

            lastSeq = next.Approval.Seq;
            state = next.Approval.State;
            yield return ToEvent(next);
        }
    }

    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    /// <summary>The next change newer than <paramref name="lastSeq"/>; null when the resync interval passed.</summary>
    private static async ValueTask<ApprovalChange?> WaitForChangeAsync(ChangeListener listener, long lastSeq, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResyncInterval);
        try
        {
            while (true)
            {
                var change = await listener.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (change.Seq > lastSeq)
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public static ApprovalEvent ToEvent(StoredApproval record) => new()
    {
        ApprovalId = record.Approval.ApprovalId,
        Seq = record.Approval.Seq,
        State = record.Approval.State,
        At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(record.UpdatedUnixMs)),
        Approval = record.Approval,
        Actor = record.LastActor,
    };

    /// <summary>
    /// The event as an approver sees it: <see cref="ToEvent"/> with the approval redacted
    /// (<see cref="Redactor"/>: masked paths, no token; copied only as deep as that needs).
    /// </summary>
    public static ApprovalEvent ToPersonEvent(StoredApproval record)
    {
        var evt = ToEvent(record);
        evt.Approval = Redactor.Redact(record.Approval, record.Redact);
        return evt;
    }

    public static CheckResponse ToResponse(StoredApproval record)
    {
        var a = record.Approval;
        var response = new CheckResponse
        {
            Tier = a.Tier,
            Rule = a.Rule,
            Reason = a.Reason,
            PolicyVersion = a.PolicyVersion,
            ApprovalId = a.ApprovalId,
        };
        switch (a.State)
        {
            case ApprovalState.Allowed:
                response.Verdict = Verdict.Allow;
                response.Token = a.Token;
                break;
            case ApprovalState.Approved:
                response.Verdict = Verdict.Allow;
                response.Token = a.Token;
                response.Approval = a;
                break;
            case ApprovalState.Pending or ApprovalState.Escalated:
                response.Verdict = Verdict.Pending;
                response.Approval = a;
                break;
            case ApprovalState.Denied:
                response.Verdict = Verdict.Deny;
                break;
            default:
                response.Verdict = Verdict.Deny;
                response.Approval = a;
                break;
        }

        return response;
    }

    private async ValueTask<Result<StoredApproval>> ApplyAsync(
        string approvalId,
        Func<ApprovalStateMachine, StoredApproval, CompiledPolicy, Result<Transition>> decide,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(approvalId))
        {
            return ApprovalError.Invalid("approval_id is required");
        }

        try
        {
            // The record this sidecar holds for the approval, if any, serves the first try; it may be
            // stale, so a refusal is only answered from a fresh read, and a lost compare-and-set reads.
            var held = _held.Take(approvalId);
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var fromHeld = attempt == 0 && held is not null;
                var current = fromHeld ? held : await store.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    return ApprovalError.NotFound(approvalId);
                }

                var transition = decide(_machine, current, policy());
                if (!transition.Ok)
                {
                    if (fromHeld)
                    {
                        continue;
                    }

                    return transition.Error!;
                }

                var next = transition.Value!;
                if (next.NeedsToken)
                {
                    AttachToken(next.Record);
                }

                if (await store.TryUpdateAsync(next.Record, next.ExpectedSeq, next.Audit, cancellationToken).ConfigureAwait(false))
                {
                    _held.Hold(next.Record);
                    if (ApprovalTelemetry.Transitioned(current, next.Record))
                    {
                        var a = next.Record.Approval;
                        LogClosed(logger, a.ApprovalId, ApprovalStates.Name(a.State), next.Record.LastActor, a.Rule, ApprovalTelemetry.TraceId(next.Record));
                    }

                    return next.Record;
                }
            }
        }
        catch (StoreUnavailableException ex)
        {
            return ApprovalError.Unavailable(ex.Message);
        }

        return new ApprovalError(ApprovalErrorKind.Aborted, $"approval '{approvalId}' kept changing under this request; retry");
    }

    /// <summary>
    /// Audits a refused outcome report (type <c>refused</c>): the approval's state does not change,
    /// but the attempt to report other arguments than the approved ones stays on record. A store
    /// that cannot record it does not change the answer (PERMISSION_DENIED).
    /// </summary>
    private async ValueTask RecordRefusalAsync(StoredApproval record, string reportedArgsSha256, string reason, CancellationToken cancellationToken)
    {
        var a = record.Approval;
        var entry = new AuditEvent
        {
            At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            ApprovalId = a.ApprovalId,
            Type = "refused",
            Actor = "agent:" + (a.Request?.Agent?.AgentId ?? string.Empty),
            Tier = a.Tier,
            Rule = a.Rule,
            PolicyVersion = a.PolicyVersion,
            ArgsSha256 = reportedArgsSha256,
            Verdict = "DENY",
            Reason = reason,
        };
        try
        {
            await store.AppendAuditAsync([entry], cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            LogRefusalNotRecorded(logger, a.ApprovalId, ex.Message);
        }
    }

    private void AttachToken(StoredApproval record)
    {
        var signed = tokens.Sign(record);
        record.Approval.Token = signed.Token;
        record.TokenJti = signed.Jti;
    }

    private static async ValueTask<Result<T>> Guarded<T>(ValueTask<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return ApprovalError.Unavailable(ex.Message);
        }
    }

    // Every line about an approval names it and the trace of the call that created it.
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "approval {ApprovalId} pending: tool {Tool}, pool {Pool}, rule {Rule} (trace {TraceId})")]
    private static partial void LogPending(ILogger logger, string approvalId, string tool, string pool, string rule, string traceId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "approval {ApprovalId} deadline passed: now {State} (pool {Pool}, trace {TraceId})")]
    private static partial void LogTimeout(ILogger logger, string approvalId, string state, string pool, string traceId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "approval {ApprovalId}: reported arguments hash {Executed} differs from the token's {Allowed} (trace {TraceId})")]
    private static partial void LogArgumentsMismatch(ILogger logger, string approvalId, string executed, string allowed, string traceId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "approval {ApprovalId}: a refused outcome report could not be audited: {Detail}")]
    private static partial void LogRefusalNotRecorded(ILogger logger, string approvalId, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "approval {ApprovalId} closed: {State} by {Actor}, rule {Rule} (trace {TraceId})")]
    private static partial void LogClosed(ILogger logger, string approvalId, string state, string actor, string rule, string traceId);
}

/// <summary>
/// What <see cref="ApprovalService.StartGuardAsync"/> returns: the call's record, and the listener on
/// its changes when the call created it. Dispose it if the stream is never read.
/// </summary>
internal sealed class GuardStart(StoredApproval record, ChangeListener? listener) : IDisposable
{
    public StoredApproval Record { get; } = record;

    public ChangeListener? Listener { get; } = listener;

    public void Dispose() => Listener?.Dispose();
}
