using System.Diagnostics;
using System.Globalization;
using Gate.StoreBench;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using GateSidecar.Approvals.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

// Creates N pending approvals (one audit entry each) with C concurrent writers on each store, reads
// each back by id, then decides them all (compare-and-set, one audit entry each), and prints
// throughput and latency.
//   dotnet run -c Release --project loadtests/Gate.StoreBench -- [--store sqlite|redis|all]
//       [--count 20000] [--concurrency 64] [--redis HOST:PORT] [--sqlite PATH] [--sqlite-sync full|normal]
var options = BenchOptions.Parse(args);
Console.WriteLine($"Gate.StoreBench: {options.Count} approvals, {options.Concurrency} concurrent writers, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

if (options.Store is "sqlite" or "all")
{
    foreach (var full in options.SqliteSync)
    {
        var directory = Directory.CreateTempSubdirectory("gate-bench-").FullName;
        var path = options.SqlitePath ?? Path.Combine(directory, "gate.db");
        var store = new SqliteApprovalStore(path, TimeProvider.System, NullLogger<SqliteApprovalStore>.Instance, new SqliteStoreOptions { SyncEveryCommit = full });
        await RunAsync($"sqlite (WAL, synchronous={(full ? "FULL" : "NORMAL")}, {path})", store, options);
        Directory.Delete(directory, recursive: true);
    }
}

if (options.Store is "redis" or "all")
{
    await using var server = options.Redis is null ? await BenchRedisServer.StartAsync() : null;
    var endpoint = options.Redis ?? server!.Endpoint;
    var store = new RedisApprovalStore(
        new RedisStoreOptions { Configuration = endpoint, KeyPrefix = "bench-" + Guid.NewGuid().ToString("N")[..8] },
        TimeProvider.System,
        NullLogger<RedisApprovalStore>.Instance);
    await RunAsync($"redis ({endpoint}{(server is null ? string.Empty : ", redis-server 7 started here with --appendonly yes, appendfsync everysec")})", store, options);
}

static async Task RunAsync(string name, IApprovalStore store, BenchOptions options)
{
    await using (store)
    {
        await store.InitializeAsync(CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine(name);

        // Warm-up: JIT, connection pools, statement caches.
        await BenchWorkload.CreateAsync(store, Math.Min(1000, options.Count), options.Concurrency, "warm");

        var created = await BenchWorkload.CreateAsync(store, options.Count, options.Concurrency, "run");
        Report("create pending", created);
        Report("read by id    ", await BenchWorkload.ReadAsync(store, created.Records, options.Concurrency));
        var decided = await BenchWorkload.DecideAsync(store, created.Records, options.Concurrency);
        Report("decide (CAS)  ", decided);
    }
}

static void Report(string what, BenchResult result)
{
    var rate = result.Operations / result.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"  {what}: {result.Operations,7} ops in {result.Elapsed.TotalSeconds,6:0.00} s = {rate,8:0} ops/s   latency p50 {result.Percentile(0.50),7:0.00} ms  p99 {result.Percentile(0.99),7:0.00} ms  max {result.Percentile(1.0),7:0.00} ms"));
}
