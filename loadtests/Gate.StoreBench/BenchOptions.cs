using System.Globalization;

namespace Gate.StoreBench;

internal sealed record BenchOptions(string Store, int Count, int Concurrency, string? Redis, string? SqlitePath, bool[] SqliteSync)
{
    public static BenchOptions Parse(string[] args)
    {
        var store = "all";
        var count = 20_000;
        var concurrency = 64;
        string? redis = null;
        string? sqlite = null;
        bool[] sync = [true, false];
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--store": store = value is "sqlite" or "redis" or "all" ? value : throw new ArgumentException("--store is sqlite, redis or all."); break;
                case "--count": count = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--redis": redis = value; break;
                case "--sqlite": sqlite = value; break;
                case "--sqlite-sync": sync = value switch { "full" => [true], "normal" => [false], _ => throw new ArgumentException("--sqlite-sync is full or normal.") }; break;
                default: throw new ArgumentException($"unknown option {args[i]}; see the comment at the top of Program.cs.");
            }

            i++;
        }

        return new BenchOptions(store, count, concurrency, redis, sqlite, sync);
    }
}
