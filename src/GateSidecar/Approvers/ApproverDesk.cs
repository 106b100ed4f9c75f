using System.Runtime.CompilerServices;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvers;

/// <summary>
/// What an authenticated approver may see and do, whatever the channel (gRPC, HTTP API, console,
/// chat webhook). Everything it returns is redacted.
/// </summary>
internal sealed class ApproverDesk(ApprovalService approvals, ApproverDirectory directory)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public ApproverDirectory Directory => directory;

    public Result<Approver> Authenticate(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new ApprovalError(ApprovalErrorKind.Unauthenticated, "missing bearer token: send 'authorization: Bearer <token>'");
        }

        return directory.Authenticate(authorization) is { } approver
            ? approver
            : new ApprovalError(ApprovalErrorKind.Unauthenticated, "unknown bearer token: check the token, or ask an operator to add its sha256 to the approvers file");
    }

    public async ValueTask<Result<ListPendingResponse>> ListPendingAsync(Approver approver, string? pool, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var pools = PoolsFor(approver, pool, out var error);
        if (error is not null)
        {
            return error;
        }

        if (pageSize < 0)
        {
            return ApprovalError.Invalid("page_size must not be negative");
        }

        var size = pageSize == 0 ? DefaultPageSize : Math.Min(pageSize, MaxPageSize);
        PendingPage page;
        try
        {
            page = await approvals.Store.ListPendingAsync(pools, string.IsNullOrEmpty(pageToken) ? null : pageToken, size, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return ApprovalError.Unavailable(ex.Message);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return ApprovalError.Invalid("page_token is not one this server issued: pass next_page_token from the previous response");
        }

        var response = new ListPendingResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        foreach (var record in page.Items)
        {
            response.Approvals.Add(Redactor.Redact(record.Approval, record.Redact));
        }

        return response;
    }

    public async ValueTask<Result<Approval>> GetAsync(Approver approver, string approvalId, CancellationToken cancellationToken)
    {
        var found = await approvals.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
        if (!found.Ok)
        {
            return found.Error!;
        }

        var record = found.Value!;
        if (!MaySee(approver, record))
        {
            return ApprovalError.Denied($"approver '{approver.Id}' is not a member of pool '{record.Approval.Pool}' and has not decided approval '{approvalId}'");
        }

        return Redactor.Redact(record.Approval, record.Redact);
    }

    public async ValueTask<Result<Approval>> DecideAsync(Approver approver, DecideRequest request, CancellationToken cancellationToken)
    {
        var result = await approvals.DecideAsync(approver.Id, request, cancellationToken).ConfigureAwait(false);
        return result.Ok ? Redactor.Redact(result.Value!.Approval, result.Value.Redact) : result.Error!;
    }

    public async ValueTask<DecideBatchResponse> DecideBatchAsync(Approver approver, DecideBatchRequest request, CancellationToken cancellationToken)
    {
        var response = new DecideBatchResponse();
        foreach (var id in request.ApprovalIds)
        {
            var one = new DecideRequest { ApprovalId = id, Verdict = request.Verdict, Reason = request.Reason };
            var result = request.Verdict == DecisionVerdict.EditAndApprove
                ? ApprovalError.Invalid("EDIT_AND_APPROVE cannot be batched: edit each approval on its own")
                : await DecideAsync(approver, one, cancellationToken).ConfigureAwait(false);
            response.Results.Add(result.Ok
                ? new DecideResult { ApprovalId = id, Approval = result.Value, Code = 0, Message = "applied" }
                : new DecideResult { ApprovalId = id, Code = (int)result.Error!.Status, Message = result.Error.Message });
        }

        return response;
    }

    /// <summary>
    /// The view of one approver's stream over <paramref name="pools"/> (from <see cref="PoolsFor"/>):
    /// turns each committed change into the redacted event the approver sees, or nothing.
    /// </summary>
    public PendingEvents OpenStream(HashSet<string> pools) => new(approvals, pools);

    /// <summary>Validates an optional pool filter against the approver's pools.</summary>
    public HashSet<string> PoolsFor(Approver approver, string? pool, out ApprovalError? error)
    {
        error = null;
        var mine = approvals.Policy.PoolsOf(approver.Id);
        if (string.IsNullOrEmpty(pool))
        {
            return new HashSet<string>(mine, StringComparer.Ordinal);
        }

        if (!mine.Contains(pool))
        {
            error = ApprovalError.Denied($"approver '{approver.Id}' is not a member of pool '{pool}' (their pools: {(mine.Count == 0 ? "none" : string.Join(", ", mine))})");
            return [];
        }

        return new HashSet<string>(StringComparer.Ordinal) { pool };
    }

    private bool MaySee(Approver approver, StoredApproval record)
    {
        if (approvals.Policy.IsMember(record.Approval.Pool, approver.Id))
        {
            return true;
        }

        foreach (var d in record.Approval.Decisions)
        {
            if (d.Approver == approver.Id)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Events of approvals in an approver's pools (and of those that left them since the stream saw
/// them), redacted, each at most once per change and never older than one already shown.
/// </summary>
internal sealed class PendingEvents(ApprovalService approvals, HashSet<string> pools)
{
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);

    /// <summary>The event for <paramref name="change"/>, or null when this stream does not show it.</summary>
    public async ValueTask<ApprovalEvent?> NextAsync(ApprovalChange change, CancellationToken cancellationToken)
    {
        var relevant = pools.Contains(change.Pool) || _seen.ContainsKey(change.ApprovalId);
        if (!relevant || (_seen.TryGetValue(change.ApprovalId, out var last) && change.Seq <= last))
        {
            return null;
        }

        var record = change.Committed() ?? await approvals.Store.GetAsync(change.ApprovalId, cancellationToken).ConfigureAwait(false);
        return record is null ? null : Show(record);
    }

    /// <summary>
    /// After <see cref="ApprovalChange.Resync"/>: the events of the open approvals in the pools
    /// this stream has not shown at their current seq, and of the approvals it showed open that
    /// have changed since (decided, expired or moved away while their changes were lost).
    /// </summary>
    public async IAsyncEnumerable<ApprovalEvent> ResyncAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var record in approvals.Store.ListAllPendingAsync(pools, cancellationToken).ConfigureAwait(false))
        {
            listed.Add(record.Approval.ApprovalId);
            if (Show(record) is { } evt)
            {
                yield return evt;
            }
        }

        foreach (var id in _seen.Keys.Where(id => !listed.Contains(id)).ToList())
        {
            var record = await approvals.Store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                _seen.Remove(id);
            }
            else if (Show(record) is { } evt)
            {
                yield return evt;
            }
        }
    }

    private ApprovalEvent? Show(StoredApproval record)
    {
        if (_seen.TryGetValue(record.Approval.ApprovalId, out var last) && record.Approval.Seq <= last)
        {
            return null;
        }

        if (!ApprovalStates.IsOpen(record.Approval.State) && !_seen.ContainsKey(record.Approval.ApprovalId) && !pools.Contains(record.Approval.Pool))
        {
            return null;
        }

        _seen[record.Approval.ApprovalId] = record.Approval.Seq;
        if (!ApprovalStates.IsOpen(record.Approval.State))
        {
            _seen.Remove(record.Approval.ApprovalId);
        }

        return ApprovalService.ToPersonEvent(record);
    }
}
