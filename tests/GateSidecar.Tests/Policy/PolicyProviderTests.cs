using Gate.V1;
using GateSidecar.Policy;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyProviderTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("gate-policy-").FullName;
    private readonly string _path;
    private readonly CapturingLogger<PolicyProvider> _logger = new();

    public PolicyProviderTests()
    {
        _path = Path.Combine(_directory, "policy.yaml");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Constructor_InvalidFile_ThrowsWithEveryError()
    {
        File.WriteAllText(_path, "version: \"1\"\ndefaults: { tier: sometimes, timeout: soon }\n");

        var error = Assert.Throws<PolicyLoadException>(() => new PolicyProvider(_path, new ManualTimeProvider(), _logger));

        Assert.Equal(
            [
                $"{_path}:2:19: defaults: key 'tier': 'sometimes' is not a tier (use auto, single, quorum or block)",
                $"{_path}:2:39: defaults: key 'timeout': 'soon' is not a duration (use a number with a unit ms, s, m or h, e.g. 90s or 1h30m)",
            ],
            error.Errors);
        Assert.Contains("is invalid (2 errors)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingFile_Throws()
    {
        var error = Assert.Throws<PolicyLoadException>(() => new PolicyProvider(_path, new ManualTimeProvider(), _logger));

        Assert.Equal([$"{_path}: cannot read the policy file: Could not find file '{_path}'."], error.Errors);
    }

    [Fact]
    public async Task FileChange_ValidNewVersion_IsSwappedInAndRaisesChanged()
    {
        File.WriteAllText(_path, Policy(1));
        using var provider = new PolicyProvider(_path, TimeProvider.System, _logger);
        var changed = new TaskCompletionSource<CompiledPolicy>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Changed += policy => changed.TrySetResult(policy);

        File.WriteAllText(_path, Policy(2));
        var swapped = await changed.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal("v2", swapped.Version);
        Assert.Same(swapped, provider.Current);
        Assert.Equal("r-2", provider.Current.Evaluate(Call()).RuleId);
        Assert.Null(provider.LastReloadError);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 1101 && e.Message.Contains("v2", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_InvalidChange_KeepsThePolicyAndReportsEveryError()
    {
        File.WriteAllText(_path, Policy(1));
        using var provider = new PolicyProvider(_path, new ManualTimeProvider(), _logger);
        var before = provider.Current;
        var raised = 0;
        provider.Changed += _ => raised++;

        File.WriteAllText(_path, "version: v2\ndefaults: { tier: auto }\nrules:\n  - { id: r, match: { tool: t }, tier: soon, on_timeout: approve }\n");
        var swapped = provider.Reload();
        var again = provider.Reload();

        var expected = $"{_path}:4:40: rule 'r': key 'tier': 'soon' is not a tier (use auto, single, quorum or block)\n"
            + $"{_path}:4:58: rule 'r': key 'on_timeout': 'approve' is not allowed (use deny or escalate)";
        Assert.False(swapped);
        Assert.False(again);
        Assert.Same(before, provider.Current);
        Assert.Equal(0, raised);
        Assert.Equal(expected, provider.LastReloadError);
        Assert.Equal(1, provider.ReloadFailures);
        var logged = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal(1102, logged.Id.Id);
        Assert.Contains(expected, logged.Message, StringComparison.Ordinal);
        Assert.Contains("version v1 stays in force", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_FixedAfterAnInvalidChange_SwapsAndClearsTheError()
    {
        File.WriteAllText(_path, Policy(1));
        using var provider = new PolicyProvider(_path, new ManualTimeProvider(), _logger);
        File.WriteAllText(_path, "version: v2\nrules: {}\n");
        provider.Reload();

        File.WriteAllText(_path, Policy(2));
        var swapped = provider.Reload();

        Assert.True(swapped);
        Assert.Equal("v2", provider.Current.Version);
        Assert.Null(provider.LastReloadError);
        Assert.Equal(1, provider.ReloadFailures);
    }

    [Fact]
    public void Reload_ChangedContentUnderTheSameVersion_IsRejected()
    {
        File.WriteAllText(_path, Policy(1));
        using var provider = new PolicyProvider(_path, new ManualTimeProvider(), _logger);

        File.WriteAllText(_path, Policy(1).Replace("timeout: 2s", "timeout: 9s", StringComparison.Ordinal));
        var swapped = provider.Reload();

        Assert.False(swapped);
        Assert.Equal(TimeSpan.FromSeconds(2), provider.Current.Evaluate(Call()).Route.Timeout);
        Assert.Equal($"{_path}: key 'version': 'v1' is already in force with different content; give the changed policy a new version", provider.LastReloadError);
    }

    [Fact]
    public void Reload_DeletedFile_KeepsThePolicyUntilTheFileReturns()
    {
        File.WriteAllText(_path, Policy(1));
        using var provider = new PolicyProvider(_path, new ManualTimeProvider(), _logger);

        File.Delete(_path);
        provider.Reload();
        provider.Reload();
        var whileMissing = provider.LastReloadError;
        File.WriteAllText(_path, Policy(1));
        provider.Reload();

        Assert.Equal($"{_path}: cannot read the policy file: Could not find file '{_path}'.", whileMissing);
        Assert.Equal(1, provider.ReloadFailures);
        Assert.Null(provider.LastReloadError);
        Assert.Equal("v1", provider.Current.Version);
    }

    [Fact]
    public async Task FileChange_IsNoticedOnTheInjectedClock()
    {
        File.WriteAllText(_path, Policy(1));
        var clock = new ManualTimeProvider();
        using var provider = new PolicyProvider(_path, clock, _logger);

        File.WriteAllText(_path, Policy(2));
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        var beforeAdvance = provider.Current.Version;
        clock.Advance(PolicyProvider.PollInterval);

        Assert.Equal("v1", beforeAdvance);
        Assert.Equal("v2", provider.Current.Version);
    }

    [Fact]
    public async Task Evaluations_DuringFiftySwaps_NeverSeeATornPolicy()
    {
        File.WriteAllText(_path, Policy(0));
        using var provider = new PolicyProvider(_path, new ManualTimeProvider(), _logger);
        var changes = 0;
        provider.Changed += _ => Interlocked.Increment(ref changes);
        using var stop = new CancellationTokenSource();
        var request = Call();
        long evaluations = 0;

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var lastSeen = -1;
            while (!stop.IsCancellationRequested)
            {
                var policy = provider.Current;
                var decision = policy.Evaluate(request);
                var n = int.Parse(decision.PolicyVersion.AsSpan(1), provider: System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(policy.Version, decision.PolicyVersion);
                Assert.Equal($"r-{n}", decision.RuleId);
                Assert.Equal($"pool-{n}", decision.Route.Pool);
                Assert.Equal(TimeSpan.FromSeconds(n + 1), decision.Route.Timeout);
                Assert.True(n >= lastSeen, $"version went back from v{lastSeen} to v{n}");
                lastSeen = n;
                Interlocked.Increment(ref evaluations);
            }
        })).ToArray();

        for (var n = 1; n <= 50; n++)
        {
            // Let the readers run between swaps, so every swap lands in the middle of evaluations.
            var seen = Interlocked.Read(ref evaluations);
            SpinWait.SpinUntil(() => Interlocked.Read(ref evaluations) >= seen + 8 || readers.Any(r => r.IsCompleted), Timeout);
            if (readers.Any(r => r.IsCompleted))
            {
                break;
            }

            File.WriteAllText(_path, Policy(n));
            Assert.True(provider.Reload(), $"v{n} was not swapped in: {provider.LastReloadError}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(Interlocked.Read(ref evaluations) >= 50 * 8, "the readers did not run between the swaps");

        Assert.Equal(50, changes);
        Assert.Equal("v50", provider.Current.Version);
    }

    private static string Policy(int n) => $$"""
        version: v{{n}}
        defaults: { tier: auto }
        pools:
          pool-{{n}}: [alice]
        rules:
          - { id: r-{{n}}, match: { tool: t, args.x: 1 }, tier: single, pool: pool-{{n}}, timeout: {{n + 1}}s }
        """;

    private static CheckRequest Call()
    {
        var request = new CheckRequest { CallId = "c", Tool = "t", Arguments = new Google.Protobuf.WellKnownTypes.Struct() };
        request.Arguments.Fields["x"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(1);
        return request;
    }
}
