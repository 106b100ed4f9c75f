using System.Text;
using GateSidecar.Approvers.Notifications;

namespace GateSidecar.Tests.Approvers.Notifications;

public sealed class NotificationSettingsTests
{
    private static (NotificationSettings? Settings, IReadOnlyList<string> Errors) Parse(string yaml, Func<string, string?>? environment = null) =>
        NotificationSettingsLoader.Parse(yaml, "notify.yaml", environment ?? (_ => null));

    [Fact]
    public void Parse_FullFile_ReadsTargetsAndDelivery()
    {
        var (settings, errors) = Parse("""
            pools:
              finance:
                - url: https://hooks.example.com/finance
                  secret: s1
                - url: https://hooks.slack.com/services/T/B/X
                  format: slack
                  secret_env: SLACK_SIGNING
              execs: []
            delivery:
              attempts: 3
              initial_backoff: 500ms
              max_backoff: 30s
              timeout: 5s
              queue: 50
              concurrency: 2
            """, name => name == "SLACK_SIGNING" ? "from-env" : null);

        Assert.Empty(errors);
        var finance = settings!.TargetsFor("finance");
        Assert.Equal(2, finance.Count);
        Assert.Equal((NotificationFormat.Json, "s1"), (finance[0].Format, Encoding.UTF8.GetString(finance[0].Secret!)));
        Assert.Equal((NotificationFormat.Slack, "from-env"), (finance[1].Format, Encoding.UTF8.GetString(finance[1].Secret!)));
        Assert.Empty(settings.TargetsFor("execs"));
        Assert.Empty(settings.TargetsFor("nobody"));
        Assert.Equal(new DeliverySettings { Attempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(500), MaxBackoff = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(5), QueueCapacity = 50, Concurrency = 2 }, settings.Delivery);
    }

    [Fact]
    public void Parse_Problems_AreAllReportedWithTheirLine()
    {
        var (settings, errors) = Parse("""
            pools:
              finance:
                - url: not a url
                  format: xml
                  colour: red
                - url: https://ok.example.com
                  secret: a
                  secret_env: B
                - url: https://ok.example.com
                  secret_env: MISSING
              ops: https://wrong.example.com
            delivery:
              initial_backoff: soon
              max_backoff: 1s
              queue: -1
            extra: 1
            """);

        Assert.Null(settings);
        Assert.Contains("notify.yaml', line 5: pool 'finance', receiver 1: unknown key 'colour'", string.Join("\n", errors));
        Assert.Contains(errors, e => e.Contains("receiver 1: 'url' must be an absolute http or https address (got 'not a url')", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("receiver 1: format 'xml' is unknown; use json or slack", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("receiver 2: give either 'secret' or 'secret_env', not both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("receiver 3: secret_env names 'MISSING', which is not set", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pool 'ops': expected a list of receivers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'initial_backoff' must be a positive duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'queue' must be a whole number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'extra'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoPools_SaysWhatIsNeeded()
    {
        var (_, errors) = Parse("delivery: { attempts: 2 }");
        Assert.Contains(errors, e => e.Contains("'pools:' is required", StringComparison.Ordinal));
        var (_, broken) = Parse("pools: [");
        Assert.Contains("line", Assert.Single(broken));
    }

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.999, 999)]
    [InlineData(2, 0.0, 1000)]
    [InlineData(3, 0.5, 3000)]
    [InlineData(10, 1.0, 8000)]
    public void Backoff_DoublesWithJitterUpToTheMaximum(int failedAttempts, double random, int expectedMs)
    {
        var settings = new DeliverySettings { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(8) };
        Assert.Equal(expectedMs, (int)Backoff.Delay(failedAttempts, settings, random).TotalMilliseconds);
    }

    [Fact]
    public void Backoff_NeverRetriesAtOnceAndNeverExceedsTheMaximum()
    {
        var settings = new DeliverySettings { InitialBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(5) };
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            var low = Backoff.Delay(attempt, settings, 0);
            var high = Backoff.Delay(attempt, settings, 0.9999);
            Assert.True(low >= TimeSpan.FromMilliseconds(100) && high <= settings.MaxBackoff && low <= high, $"attempt {attempt}: {low}..{high}");
        }
    }
}
