using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// Views computed from the audit trail: <c>GET /api/v1/history</c> (recent decisions the approver may
/// see: in their pools, or their own) and <c>GET /api/v1/rules/stats</c> (per rule, the share approved
/// unchanged, rubber-stamp candidates flagged). Both read a window of the trail (<c>since</c>).
/// </summary>
internal sealed class InsightsApi(ApproverDesk desk, ApprovalService approvals, TimeProvider time)
{
    private const int AuditPage = 1000;
    private const int HistoryCandidates = 2000;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/history", HistoryAsync);
        routes.MapGet("/api/v1/rules/stats", RuleStatsAsync);
    }

    private async Task HistoryAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        var since = HttpIo.QuerySince(http, time.GetUtcNow(), TimeSpan.FromDays(7));
        var limit = HttpIo.QueryInt(http, "limit", null, 50, 1, 200);
        var failed = !approver.Ok ? approver.Error : !since.Ok ? since.Error : limit.Error;
        if (failed is not null)
        {
            await ApiError.From(failed).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        try
        {
            // Keep the latest decisions of the window, then walk them newest first until enough are visible.
            var recent = new Queue<AuditEvent>();
            await ForEachEntryAsync(since.Value, entry =>
            {
                if (entry.Type == "decision")
                {
                    recent.Enqueue(entry);
                    if (recent.Count > HistoryCandidates)
                    {
                        recent.Dequeue();
                    }
                }
            }, http.RequestAborted).ConfigureAwait(false);

            var me = approver.Value!;
            var records = new Dictionary<string, Approval?>(StringComparer.Ordinal);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("since", since.Value.UtcDateTime);
                json.WriteStartArray("decisions");
                var written = 0;
                foreach (var entry in recent.Reverse())
                {
                    if (written == limit.Value)
                    {
                        break;
                    }

                    if (!records.TryGetValue(entry.ApprovalId, out var approval))
                    {
                        var record = await approvals.Store.GetAsync(entry.ApprovalId, http.RequestAborted).ConfigureAwait(false);
                        approval = record is null ? null : Redactor.Redact(record.Approval, record.Redact);
                        records[entry.ApprovalId] = approval;
                    }

                    var decidedBy = entry.Actor.StartsWith("approver:", StringComparison.Ordinal) ? entry.Actor["approver:".Length..] : entry.Actor;
                    if (!MaySee(me, decidedBy, approval))
                    {
                        continue;
                    }

                    written++;
                    json.WriteStartObject();
                    json.WriteString("at", entry.At.ToDateTime());
                    json.WriteString("approvalId", entry.ApprovalId);
                    json.WriteString("approver", decidedBy);
                    json.WriteString("verdict", entry.Verdict);
                    json.WriteString("reason", entry.Reason);
                    json.WriteString("rule", entry.Rule);
                    json.WriteString("tool", approval?.Request?.Tool ?? string.Empty);
                    json.WriteString("pool", approval?.Pool ?? string.Empty);
                    json.WriteString("state", approval is null ? "PRUNED" : ApprovalStates.Name(approval.State));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            await HttpIo.WriteJsonAsync(http, buffer.ToArray()).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            await ApiError.From(ApprovalError.Unavailable(ex.Message)).WriteAsync(http).ConfigureAwait(false);
        }
    }

    private async Task RuleStatsAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        var since = HttpIo.QuerySince(http, time.GetUtcNow(), TimeSpan.FromDays(30));
        var minDecided = HttpIo.QueryInt(http, "min_decided", "minDecided", 5, 1, 1_000_000);
        var failed = !approver.Ok ? approver.Error : !since.Ok ? since.Error : minDecided.Error;
        if (failed is not null)
        {
            await ApiError.From(failed).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        try
        {
            var stats = new RuleStats();
            await ForEachEntryAsync(since.Value, stats.Add, http.RequestAborted).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("since", since.Value.UtcDateTime);
                json.WriteNumber("threshold", RuleStats.RubberStampShare);
                json.WriteNumber("minDecided", minDecided.Value);
                json.WriteStartArray("rules");
                foreach (var rule in stats.Result())
                {
                    json.WriteStartObject();
                    json.WriteString("rule", rule.Rule);
                    json.WriteNumber("decided", rule.Decided);
                    json.WriteNumber("approvedUnchanged", rule.ApprovedUnchanged);
                    json.WriteNumber("approvedEdited", rule.ApprovedEdited);
                    json.WriteNumber("rejected", rule.Rejected);
                    json.WriteNumber("shareApprovedUnchanged", Math.Round(rule.ShareApprovedUnchanged, 4));
                    json.WriteBoolean("rubberStampCandidate", RuleStats.IsRubberStampCandidate(rule, minDecided.Value));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            await HttpIo.WriteJsonAsync(http, buffer.ToArray()).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            await ApiError.From(ApprovalError.Unavailable(ex.Message)).WriteAsync(http).ConfigureAwait(false);
        }
    }

    private bool MaySee(Approver me, string decidedBy, Approval? approval)
    {
        if (decidedBy == me.Id)
        {
            return true;
        }

        if (approval is null)
        {
            return false;
        }

        return approvals.Policy.IsMember(approval.Pool, me.Id) || approval.Decisions.Any(d => d.Approver == me.Id);
    }

    private async Task ForEachEntryAsync(DateTimeOffset since, Action<AuditEvent> visit, CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await approvals.Store.ListAuditAsync(new AuditQuery(null, since, null, AuditPage, token), cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Events)
            {
                visit(entry);
            }

            token = page.NextPageToken;
        }
        while (token is not null);
    }
}
