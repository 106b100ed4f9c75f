using Gate.LoadTests.Infrastructure;

namespace Gate.LoadTests.Scenarios;

/// <summary>How a scenario runs; every scenario reads the options that concern it.</summary>
internal sealed record ScenarioOptions
{
    /// <summary>Open-loop arrival rate, calls per second.</summary>
    public double Rate { get; init; } = 1000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most calls outstanding at once in an open-loop run.</summary>
    public int MaxInFlight { get; init; } = 2000;

    /// <summary>"open" (constant arrival rate) or "closed" (saturation with <see cref="Concurrency"/> workers).</summary>
    public string Mode { get; init; } = "open";

    public int Concurrency { get; init; } = 64;

    /// <summary>Concurrent agents holding a Guard stream each (approval scenario).</summary>
    public int Agents { get; init; } = 1000;

    public TimeSpan ThinkMin { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ThinkMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How late the approver bot opens its streams (approval, mixed): for checking that its probe
    /// rounds cover streams a sidecar does not have yet. Zero in every real run.
    /// </summary>
    public TimeSpan BotStreamDelay { get; init; }

    /// <summary>Approvals created before the timeout scenario that stay pending with a long deadline.</summary>
    public int BackgroundPending { get; init; } = 10_000;

    public StoreKind Store { get; init; } = StoreKind.Sqlite;

    /// <summary>Verify one token offline (ES256 against JWKS, bound to the arguments) every N answers.</summary>
    public int TokenSampleEvery { get; init; } = 100;

    /// <summary>Samples of the decision-latency scenario.</summary>
    public int Samples { get; init; } = 2000;

    /// <summary>How long to wait for outstanding calls after the last send.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
