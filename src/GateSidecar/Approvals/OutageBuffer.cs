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
                // A record the store refused (FlushAsync wrote the others and rethrew): keep it and
                // try again; ending here would stop the sidecar and lose every buffered record.
                if (!failing)
                {
                    LogFlushFailed(logger, Count, ex);
                }

                failing = true;
            }
        }
    }

    /// <summary>
    /// Writes the buffered records in order until the store is unavailable. A record the store
    /// refuses otherwise goes to the back of the buffer so that it does not hold back the records
    /// behind it; when every record left was refused in a row, the round ends and the last refusal is
    /// rethrown (the loop logs it and tries again in 500 ms). Only this loop takes records out.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        var refusedInARow = 0;
        Exception? refusal = null;
        while (refusedInARow < Count && _queue.TryPeek(out var item))
        {
            try
            {
                await store.CreateAsync(item.Record, item.Audit, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _queue.TryDequeue(out var refused);
                _queue.Enqueue(refused);
                refusal = ex;
                refusedInARow++;
                continue;
            }

            _queue.TryDequeue(out _);
            Interlocked.Decrement(ref _count);
            written++;
            refusedInARow = 0;
        }

        if (written > 0)
        {
            LogFlushed(logger, written, Count);
        }

        if (refusal is not null && refusedInARow > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusal);
        }

        return written;
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "wrote {Written} auto-pass records buffered during a store outage ({Remaining} still buffered)")]
    private static partial void LogFlushed(ILogger logger, int written, int remaining);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "writing the auto-pass records buffered during a store outage failed ({Buffered} buffered, kept, retried every 500 ms)")]
    private static partial void LogFlushFailed(ILogger logger, int buffered, Exception exception);
}
