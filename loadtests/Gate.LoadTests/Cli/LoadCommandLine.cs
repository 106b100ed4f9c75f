using System.CommandLine;
using System.CommandLine.Parsing;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Scenarios;

namespace Gate.LoadTests.Cli;

/// <summary>
/// <c>gate-load run SCENARIO [options]</c>, <c>gate-load smoke</c> and <c>gate-load frame</c>.
/// Every option has a default that makes sense on a developer machine; the scripts pass the rest.
/// </summary>
internal static class LoadCommandLine
{
    public static readonly string[] ScenarioNames = ["fast-path", "health-floor", "approval", "timeout", "mixed", "create-rate", "decision-latency"];

    private static readonly Option<string[]> Target = new("--target")
    {
        Description = "gRPC address of a running sidecar (repeat for the second sidecar of 'mixed'); without it the driver starts its own",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string[]> TargetHttp = new("--target-http") { Description = "HTTP address of each --target, in the same order (JWKS for token checks)" };
    private static readonly Option<double> Rate = new("--rate") { Description = "open-loop arrival rate, calls per second", DefaultValueFactory = _ => 1000 };
    private static readonly Option<TimeSpan> Duration = DurationOption("--duration", "measured window", "30s");
    private static readonly Option<TimeSpan> Warmup = DurationOption("--warmup", "warm-up at full rate, not measured", "5s");
    private static readonly Option<TimeSpan> Ramp = DurationOption("--ramp", "linear ramp from 0 to --rate, not measured", "2s");
    private static readonly Option<int> MaxInFlight = new("--max-in-flight") { Description = "most calls outstanding at once (open loop)", DefaultValueFactory = _ => 2000 };
    private static readonly Option<string> Mode = new("--mode") { Description = "open (constant arrival rate) or closed (saturation, see --concurrency)", DefaultValueFactory = _ => "open" };
    private static readonly Option<int> Concurrency = new("--concurrency") { Description = "callers in closed-loop mode", DefaultValueFactory = _ => 64 };
    private static readonly Option<int> Agents = new("--agents") { Description = "concurrent agents each holding a Guard stream (approval)", DefaultValueFactory = _ => 1000 };
    private static readonly Option<TimeSpan> ThinkMin = DurationOption("--think-min", "shortest approver think time", "200ms");
    private static readonly Option<TimeSpan> ThinkMax = DurationOption("--think-max", "longest approver think time", "2s");
    private static readonly Option<TimeSpan> BotStreamDelay = DurationOption("--bot-stream-delay", "open the approver bot's streams this late, to test its probe rounds", "0s");
    private static readonly Option<int> Background = new("--background-pending") { Description = "long-deadline approvals created before the timeout scenario", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<string> Store = new("--store") { Description = "sqlite or redis (mixed always uses redis)", DefaultValueFactory = _ => "sqlite" };
    private static readonly Option<int> TokenSample = new("--token-sample") { Description = "verify one token in N offline", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> Samples = new("--samples") { Description = "decisions measured by decision-latency", DefaultValueFactory = _ => 2000 };
    private static readonly Option<int> Connections = new("--connections") { Description = "HTTP/2 connections per sidecar", DefaultValueFactory = _ => 2 };
    private static readonly Option<string?> Sidecar = new("--sidecar") { Description = "GateSidecar.dll to start (default: the repository's Release build)" };
    private static readonly Option<string> RedisServer = new("--redis-server") { Description = "redis-server binary", DefaultValueFactory = _ => "/usr/bin/redis-server" };
    private static readonly Option<string> AppendFsync = new("--redis-appendfsync") { Description = "everysec (Redis's default: no fsync before replies) or always (fsync before each reply, what docs/deploy.md asks for in production)", DefaultValueFactory = _ => "everysec" };
    private static readonly Option<string?> AofRewriteMinSize = new("--redis-aof-rewrite-min-size") { Description = "auto-aof-rewrite-min-size of the redis-server the driver starts, e.g. 4gb to keep Redis's AOF rewrites out of a run (default: Redis's own, 64mb)" };
    private static readonly Option<string> SqliteSync = new("--sqlite-sync") { Description = "full (the sidecar's default: fsync per commit) or normal, passed to started SQLite sidecars", DefaultValueFactory = _ => "full" };
    private static readonly Option<string[]> SidecarEnv = new("--sidecar-env") { Description = "NAME=VALUE set in the environment of every sidecar the driver starts (repeatable), e.g. DOTNET_gcServer=0", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> ReportDir = new("--report-dir") { Description = "write <name>.json/.md/.svg here" };
    private static readonly Option<string?> ReportName = new("--report-name") { Description = "file name of the reports (default: the scenario)" };
    private static readonly Option<string?> WorkDir = new("--work-dir") { Description = "where started sidecars keep their files (default: a temp directory)" };
    private static readonly Option<bool> KeepFiles = new("--keep-files") { Description = "keep the sidecars' databases and logs" };
    private static readonly Option<bool> SidecarGc = new("--sidecar-gc") { Description = "report each started sidecar's bytes allocated per call, collector pauses and Gate's own Check and decision latency (bucket bounds): turns on its metrics, exported to the driver every second, which costs it CPU (about 10-20 us per auto-pass Check here)" };

    public static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand("Load driver for the Gate sidecar: open-loop scenarios, latency histograms, JSON/Markdown/SVG reports.");

        var scenario = new Argument<string>("scenario") { Description = "one of: " + string.Join(", ", ScenarioNames) };
        scenario.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!ScenarioNames.Contains(value))
            {
                result.AddError($"unknown scenario '{value}': use one of {string.Join(", ", ScenarioNames)}");
            }
        });
        var run = new Command("run", "Run one scenario and write its reports.") { scenario };
        AddCommon(run);
        foreach (var option in new Option[] { Rate, Duration, Warmup, Ramp, MaxInFlight, Mode, Concurrency, Agents, ThinkMin, ThinkMax, BotStreamDelay, Background, Store, TokenSample, Samples, ReportName })
        {
            run.Options.Add(option);
        }

        run.SetAction((parse, cancellationToken) => LoadRunner.RunAsync(
            parse.GetRequiredValue(scenario), ReadOptions(parse), ReadLaunch(parse), ReadTargets(parse), parse.GetValue(ReportDir), parse.GetValue(ReportName), CommandText(), output, cancellationToken));
        root.Subcommands.Add(run);

        var smoke = new Command("smoke", "Every scenario at low rates, correctness only; the last line is 'N passed, M failed'.");
        AddCommon(smoke);
        smoke.SetAction((parse, cancellationToken) => SmokeRunner.RunAsync(ReadLaunch(parse), parse.GetValue(ReportDir), output, cancellationToken));
        root.Subcommands.Add(smoke);

        root.Subcommands.Add(FrameCommand.Build(output));
        return root;
    }

    private static void AddCommon(Command command)
    {
        foreach (var option in new Option[] { Target, TargetHttp, Connections, Sidecar, RedisServer, AppendFsync, AofRewriteMinSize, SqliteSync, SidecarEnv, SidecarGc, ReportDir, WorkDir, KeepFiles })
        {
            command.Options.Add(option);
        }
    }

    private static ScenarioOptions ReadOptions(ParseResult parse) => new()
    {
        Rate = parse.GetValue(Rate),
        Duration = parse.GetValue(Duration),
        Warmup = parse.GetValue(Warmup),
        Ramp = parse.GetValue(Ramp),
        MaxInFlight = parse.GetValue(MaxInFlight),
        Mode = parse.GetValue(Mode)!,
        Concurrency = parse.GetValue(Concurrency),
        Agents = parse.GetValue(Agents),
        ThinkMin = parse.GetValue(ThinkMin),
        ThinkMax = parse.GetValue(ThinkMax),
        BotStreamDelay = parse.GetValue(BotStreamDelay),
        BackgroundPending = parse.GetValue(Background),
        Store = string.Equals(parse.GetValue(Store), "redis", StringComparison.OrdinalIgnoreCase) ? StoreKind.Redis : StoreKind.Sqlite,
        TokenSampleEvery = parse.GetValue(TokenSample),
        Samples = parse.GetValue(Samples),
    };

    private static LaunchSettings ReadLaunch(ParseResult parse)
    {
        var root = LaunchSettings.FindRepositoryRoot() ?? Environment.CurrentDirectory;
        var work = parse.GetValue(WorkDir) ?? Path.Combine(Path.GetTempPath(), "gate-load");
        return new LaunchSettings(
            root,
            parse.GetValue(Sidecar) ?? LaunchSettings.DefaultSidecarPath(root),
            parse.GetValue(RedisServer)!,
            Path.GetFullPath(work),
            parse.GetValue(AppendFsync)!,
            parse.GetValue(SqliteSync)!,
            parse.GetValue(Connections),
            parse.GetValue(KeepFiles))
        {
            SidecarEnv = parse.GetValue(SidecarEnv) ?? [],
            SidecarGc = parse.GetValue(SidecarGc),
            RedisAofRewriteMinSize = parse.GetValue(AofRewriteMinSize),
        };
    }

    private static (IReadOnlyList<Uri> Grpc, IReadOnlyList<Uri> Http) ReadTargets(ParseResult parse) =>
        ([.. (parse.GetValue(Target) ?? []).Select(t => new Uri(t))], [.. (parse.GetValue(TargetHttp) ?? []).Select(t => new Uri(t))]);

    private static string CommandText() => "gate-load " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    private static Option<TimeSpan> DurationOption(string name, string description, string defaultValue) => new(name)
    {
        Description = $"{description} (e.g. 500ms, 30s, 2m; default {defaultValue})",
        DefaultValueFactory = _ => DurationParser.TryParse(defaultValue, out var d) ? d : TimeSpan.Zero,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultValue;
            if (DurationParser.TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration; write e.g. 500ms, 30s or 2m");
            return TimeSpan.Zero;
        },
    };
}
