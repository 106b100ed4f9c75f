using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Measurement;
using Gate.Testing.Otlp;
using Google.Protobuf;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class GcFiguresTests
{
    [Fact]
    public void Decoder_SumsTheRuntimeCountersAndSkipsTheRest()
    {
        var body = Export(
            Sum(OtlpGcDecoder.Allocated, Point(2_000, intValue: 6_000_000)),
            Sum("gate.checks", Point(2_000, intValue: 99)),
            Sum(OtlpGcDecoder.Collections, Point(2_000, intValue: 7, generation: "gen0"), Point(2_000, intValue: 3, generation: "gen1"), Point(2_500, intValue: 1, generation: "gen2")),
            Sum(OtlpGcDecoder.Paused, Point(2_000, doubleValue: 0.125)),
            new Metric { Name = OtlpGcDecoder.Allocated, Gauge = new Gauge { DataPoints = { Point(9_000, intValue: 5) } } });

        var reading = OtlpGcDecoder.Decode(body);

        Assert.Equal(new GcReading(2_500, 6_000_000, 7, 3, 1, 0.125), reading);
    }

    [Fact]
    public void Decoder_WithoutTheCounters_GivesNothing_AndRejectsWhatIsNotProtobuf()
    {
        Assert.Null(OtlpGcDecoder.Decode(Export(Sum("gate.checks", Point(1, intValue: 1)))));
        Assert.Null(OtlpGcDecoder.Decode([]));
        Assert.Throws<InvalidProtocolBufferException>(() => OtlpGcDecoder.Decode([0x0a, 0x05, 0x01]));
    }

    [Fact]
    public void Rows_ScaleTheRateBetweenReadingsToTheWindow()
    {
        // Readings 2 s apart inside a 10 s window of 5,000 calls: 4 MiB allocated in 2 s is 2 MiB/s,
        // 20 MiB over the window, 4 KiB (4.096 KB as KiB/1024) per call; 40 ms paused in 2 s is 20 ms/s.
        var first = new GcReading(1_000_000_000, 1 << 20, 10, 2, 1, 0.5);
        var last = new GcReading(3_000_000_000, 5 << 20, 14, 3, 1, 0.54);

        var rows = GcReading.Rows("sidecar A", first, last, windowSeconds: 10, calls: 5_000);

        Assert.Equal(2, rows.Count);
        Assert.Equal("allocated per {0}: sidecar A", rows[0].Name);
        Assert.Equal(20.0 * 1024 * 1024 / 5_000 / 1024, rows[0].Value, 6);
        Assert.Equal("garbage collection, time paused a second: sidecar A", rows[1].Name);
        Assert.Equal(20.0, rows[1].Value, 6);
        Assert.Equal("ms/s; collections a second gen0 / gen1 / gen2 2.0 / 0.5 / 0.00", rows[1].Unit);
        Assert.Empty(GcReading.Rows("driver", last, first, 10, 5_000));
        Assert.Empty(GcReading.Rows("driver", first, last, 10, 0));
    }

    [Fact]
    public void Decoder_AddsGateLatencyHistogramsOverTheirAttributeSets_AndSkipsOthers()
    {
        var histograms = new[]
        {
            Histogram("gate.decision.duration", Bucketed(3_000, [0.001, 0.01], [1, 2, 3]), Bucketed(3_000, [0.001, 0.01], [0, 1, 0]), Bucketed(3_000, [0.005], [7, 7])),
            Histogram("http.server.request.duration", Bucketed(3_000, [0.001, 0.01], [5, 5, 5])),
        };
        var body = Export([Sum(OtlpGcDecoder.Allocated, Point(3_000, intValue: 1_000)), .. histograms]);

        // Without the runtime's counters an export gives no reading, histograms or not.
        Assert.Null(OtlpGcDecoder.Decode(Export(histograms)));

        var reading = OtlpGcDecoder.Decode(body);

        Assert.NotNull(reading);
        var latencies = reading.Value.Latencies;
        Assert.NotNull(latencies);
        Assert.Equal(["gate.decision.duration"], latencies.Keys);
        Assert.Equal([0.001, 0.01], latencies["gate.decision.duration"].Bounds);
        Assert.Equal([1L, 3L, 3L], latencies["gate.decision.duration"].Counts);
        Assert.Equal(3_000, reading.Value.TimeUnixNano);
    }

    [Fact]
    public void Rows_GiveTheWindowsLatencyAsBucketBounds()
    {
        // 100 decisions between the readings: 90 under 2.5 ms, 9 under 25 ms, 1 above.
        double[] bounds = [0.0025, 0.025];
        var first = new GcReading(1_000_000_000, 0, 0, 0, 0, 0, Latencies("gate.decision.duration", bounds, 10, 0, 0));
        var last = new GcReading(3_000_000_000, 0, 0, 0, 0, 0, Latencies("gate.decision.duration", bounds, 100, 9, 1));

        var row = Assert.Single(OtlpHistogram.Rows("sidecar A", first, last), r => r.Name.Contains("gate.decision.duration", StringComparison.Ordinal));

        Assert.Equal("a person's decision inside the sidecar (gate.decision.duration), p50 / p99 at most: sidecar A", row.Name);
        Assert.Equal(2.5, row.Value, 6);
        Assert.Equal("ms / 25 ms (upper bounds of the sidecar's buckets; 100 measured)", row.Unit);

        // All in the overflow bucket: shown as above the last bound.
        var slow = new GcReading(3_000_000_000, 0, 0, 0, 0, 0, Latencies("gate.decision.duration", bounds, 10, 0, 5));
        var slowRow = Assert.Single(OtlpHistogram.Rows("sidecar A", first, slow), r => r.Name.Contains("gate.decision.duration", StringComparison.Ordinal));
        Assert.Equal(25, slowRow.Value, 6);
        Assert.StartsWith("ms / > 25 ms", slowRow.Unit, StringComparison.Ordinal);

        // A restart (counts going down) or other buckets give no row.
        var restarted = new GcReading(3_000_000_000, 0, 0, 0, 0, 0, Latencies("gate.decision.duration", bounds, 1, 0, 0));
        Assert.DoesNotContain(OtlpHistogram.Rows("sidecar A", first, restarted), r => r.Name.Contains("gate.decision.duration", StringComparison.Ordinal));
        var rebucketed = new GcReading(3_000_000_000, 0, 0, 0, 0, 0, Latencies("gate.decision.duration", [0.005, 0.05], 100, 9, 1));
        Assert.DoesNotContain(OtlpHistogram.Rows("sidecar A", first, rebucketed), r => r.Name.Contains("gate.decision.duration", StringComparison.Ordinal));
    }

    [Fact]
    public void DriverReading_CountsItsOwnAllocations()
    {
        var before = GcReading.OfThisProcess();
        var kept = new byte[4 << 20];
        var after = GcReading.OfThisProcess();

        Assert.True(after.AllocatedBytes - before.AllocatedBytes >= kept.Length);
        Assert.True(after.TimeUnixNano >= before.TimeUnixNano);
    }

    /// <summary>The repository's Release sidecar, started with the environment the driver gives it, exports its collector's counters to the sink.</summary>
    [Fact]
    public async Task Sink_ReceivesARealSidecarsReadings()
    {
        var root = LaunchSettings.FindRepositoryRoot()!;
        var sidecarDll = LaunchSettings.DefaultSidecarPath(root);
        Assert.True(File.Exists(sidecarDll), $"{sidecarDll} is missing: build first with dotnet build -c Release Approvals.sln");
        var work = Directory.CreateTempSubdirectory("gate-load-gc-sink-");
        await using var sink = SidecarGcSink.Start();
        try
        {
            using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
            {
                await File.WriteAllTextAsync(Path.Combine(work.FullName, "key.pem"), key.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
            }

            var from = GcReading.UnixNanoNow();
            await using (var sidecar = await SidecarProcess.StartAsync(sidecarDll,
                ["--grpc-port", "0", "--http-port", "0", "--policy", Path.Combine(root, "loadtests", "policies", "fast-path.yaml"),
                 "--approvers", Path.Combine(root, "loadtests", "approvers.yaml"), "--store", "sqlite", "--sqlite", Path.Combine(work.FullName, "gate.db"), "--signing-key", Path.Combine(work.FullName, "key.pem")],
                Path.Combine(work.FullName, "sidecar.log"), TimeSpan.FromSeconds(60), sink.EnvironmentFor("sidecar A")))
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (sink.Readings("sidecar A", from, long.MaxValue).Count < 2 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                }
            }

            var readings = sink.Readings("sidecar A", from, long.MaxValue);
            Assert.True(readings.Count >= 2, $"{readings.Count} reading(s) in 30 s; rejected exports: {sink.Rejected}");
            Assert.All(readings, r => Assert.True(r.AllocatedBytes > 0 && r.TimeUnixNano >= from));
            Assert.True(readings[^1].AllocatedBytes >= readings[0].AllocatedBytes);
            Assert.Equal(["sidecar A"], sink.Sources);
            Assert.Equal(0, sink.Rejected);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static byte[] Export(params Metric[] metrics) =>
        new ExportMetricsServiceRequest { ResourceMetrics = { new ResourceMetrics { ScopeMetrics = { new ScopeMetrics { Metrics = { metrics } } } } } }.ToByteArray();

    private static Dictionary<string, OtlpHistogram> Latencies(string name, double[] bounds, params long[] counts) =>
        new(StringComparer.Ordinal) { [name] = new OtlpHistogram(bounds, counts) };

    private static Metric Histogram(string name, params HistogramDataPoint[] points) =>
        new() { Name = name, Unit = "s", Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { points } } };

    private static HistogramDataPoint Bucketed(long time, double[] bounds, ulong[] counts)
    {
        var point = new HistogramDataPoint { StartTimeUnixNano = 1, TimeUnixNano = (ulong)time, Count = (ulong)counts.Sum(c => (long)c) };
        point.ExplicitBounds.Add(bounds);
        point.BucketCounts.Add(counts);
        return point;
    }

    private static Metric Sum(string name, params NumberDataPoint[] points) =>
        new() { Name = name, Unit = "By", Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { points } } };

    private static NumberDataPoint Point(long time, long? intValue = null, double? doubleValue = null, string? generation = null)
    {
        var point = new NumberDataPoint { StartTimeUnixNano = 1, TimeUnixNano = (ulong)time };
        if (intValue is { } i)
        {
            point.AsInt = i;
        }

        if (doubleValue is { } d)
        {
            point.AsDouble = d;
        }

        if (generation is not null)
        {
            point.Attributes.Add(new KeyValue { Key = OtlpGcDecoder.Generation, Value = new AnyValue { StringValue = generation } });
        }

        return point;
    }
}
