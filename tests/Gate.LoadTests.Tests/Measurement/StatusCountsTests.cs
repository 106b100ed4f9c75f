using Gate.Client;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class StatusCountsTests
{
    [Fact]
    public void Errors_CountsEveryCodeButOk()
    {
        var counts = new StatusCounts();
        counts.Record(StatusCode.OK);
        counts.Record(StatusCode.OK);
        counts.RecordError(StatusCode.Unavailable, "store down");
        counts.RecordError(StatusCode.DeadlineExceeded, "late");
        Assert.Equal(2, counts.Ok);
        Assert.Equal(2, counts.Errors);
        Assert.Equal(4, counts.Total);
    }

    /// <summary>The progress line reads the counts while calls complete: it must never show a negative error count.</summary>
    [Fact]
    public async Task Errors_ReadWhileOkCallsComplete_IsNeverNegative()
    {
        var counts = new StatusCounts();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                counts.Record(StatusCode.OK);
            }
        }, TestContext.Current.CancellationToken);

        long lowest = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < until)
        {
            lowest = Math.Min(lowest, counts.Errors);
        }

        await stop.CancelAsync();
        await writer;
        Assert.True(counts.Ok > 0);
        Assert.Equal(0, lowest);
    }
}
