using System.Collections.Concurrent;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals;

/// <summary>
/// Opt-in (<c>--outage-auto-pass</c>): while the store is unreachable, auto-pass calls are allowed and
/// their records and audit entries wait here, in order, until the store answers again. Bounded: when
/// full, auto-pass calls fail closed like every other call. Gated calls are never buffered. What is
/// buffered lives only in this process until written: a crash during an outage loses it, which is
/// why the option is off by default.
/// </summary>
internal sealed partial class OutageBuffer(IApprovalStore store, TimeProvider time, ILogger<OutageBuffer> logger) : BackgroundService
{
    public const int Capacity = 100_000;
    private readonly ConcurrentQueue<(StoredApproval Record, IReadOnlyList<AuditEvent> Audit)> _queue = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public bool TryAdd(StoredApproval record, IReadOnlyList<AuditEvent> audit)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _queue.Enqueue((record, audit));
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Any other failure of a write (the store refused the record): keep it, and every
                // record behind it, and try again; ending here would stop the sidecar and lose them.
                if (!failing)
                {
                    LogFlushFailed(logger, Count, ex);
                }

                failing = true;
            }
        }
    }

    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        while (_queue.TryPeek(out var item))
        {
            try
            {
                await store.CreateAsync(item.Record, item.Audit, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                break;
            }

            _queue.TryDequeue(out _);
            Interlocked.Decrement(ref _count);
            written++;
        }

        if (written > 0)
        {
            LogFlushed(logger, written, Count);
        }

        return written;
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "wrote {Written} auto-pass records buffered during a store outage ({Remaining} still buffered)")]
    private static partial void LogFlushed(ILogger logger, int written, int remaining);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "writing the auto-pass records buffered during a store outage failed ({Buffered} buffered, kept, retried every 500 ms)")]
    private static partial void LogFlushFailed(ILogger logger, int buffered, Exception exception);
}
