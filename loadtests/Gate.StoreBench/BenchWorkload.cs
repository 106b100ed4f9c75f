using System.Diagnostics;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using Google.Protobuf.WellKnownTypes;

namespace Gate.StoreBench;

internal sealed record BenchResult(int Operations, TimeSpan Elapsed, double[] LatenciesMs, StoredApproval[] Records)
{
    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

internal static class BenchWorkload
{
    public static async Task<BenchResult> CreateAsync(IApprovalStore store, int count, int concurrency, string run)
    {
        var records = new StoredApproval[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = Pending($"{run}-{i}");
        }

        return await RunAsync(count, concurrency, records, async i =>
        {
            var result = await store.CreateAsync(records[i], [Entry("created", records[i])], CancellationToken.None);
            if (!result.Created)
            {
                throw new InvalidOperationException($"record {i} was not created");
            }
        });
    }

    public static Task<BenchResult> DecideAsync(IApprovalStore store, StoredApproval[] pending, int concurrency) =>
        RunAsync(pending.Length, concurrency, pending, async i =>
        {
            var approved = pending[i].Clone();
            approved.Approval.State = ApprovalState.Approved;
            approved.Approval.Seq = 2;
            if (!await store.TryUpdateAsync(approved, 1, [Entry("approved", approved)], CancellationToken.None))
            {
                throw new InvalidOperationException($"record {i} was not updated");
            }
        });

    /// <summary>Reads every record back by id, as Decide and Watch do.</summary>
    public static Task<BenchResult> ReadAsync(IApprovalStore store, StoredApproval[] records, int concurrency) =>
        RunAsync(records.Length, concurrency, records, async i =>
        {
            var read = await store.GetAsync(records[i].Approval.ApprovalId, CancellationToken.None);
            if (read is null || read.Approval.ApprovalId != records[i].Approval.ApprovalId)
            {
                throw new InvalidOperationException($"record {i} was not read back");
            }
        });

    private static async Task<BenchResult> RunAsync(int count, int concurrency, StoredApproval[] records, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        watch.Stop();
        return new BenchResult(count, watch.Elapsed, latencies, records);
    }

    private static StoredApproval Pending(string key)
    {
        var id = "ap_" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var arguments = new Struct();
        arguments.Fields["amount"] = Value.ForNumber(900);
        arguments.Fields["currency"] = Value.ForString("EUR");
        arguments.Fields["customer_id"] = Value.ForString("cus_" + key);
        return new StoredApproval
        {
            Approval = new Approval
            {
                ApprovalId = id,
                State = ApprovalState.Pending,
                Tier = RiskTier.Single,
                Rule = "large-refund",
                Reason = "args.amount 900 > 500 (rule large-refund)",
                PolicyVersion = "2026-11-21.1",
                Pool = "finance",
                Quorum = 1,
                Seq = 1,
                CreatedAt = Timestamp.FromDateTimeOffset(now),
                Deadline = Timestamp.FromDateTimeOffset(now.AddMinutes(5)),
                Request = new CheckRequest
                {
                    CallId = "toolu_" + key,
                    Tool = "payments.refund",
                    Arguments = arguments,
                    Agent = new AgentContext { AgentId = "support-bot", Tenant = "acme", OnBehalfOf = "user-42", SessionId = "sess-1" },
                    Context = new CallContext { UserRequest = "Refund my last order, it arrived broken.", Reasoning = "The order shows a delivery complaint with photos; policy allows refunds for damaged goods." },
                },
                FinalArguments = arguments,
            },
            DeadlineUnixMs = now.AddMinutes(5).ToUnixTimeMilliseconds(),
        };
    }

    private static AuditEvent Entry(string type, StoredApproval record) => new()
    {
        Type = type,
        ApprovalId = record.Approval.ApprovalId,
        At = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        Actor = "agent:support-bot",
        Tier = record.Approval.Tier,
        Rule = record.Approval.Rule,
        PolicyVersion = record.Approval.PolicyVersion,
        Reason = record.Approval.Reason,
    };
}
