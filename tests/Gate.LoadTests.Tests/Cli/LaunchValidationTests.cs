using Gate.LoadTests.Cli;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Scenarios;
using Xunit;

namespace Gate.LoadTests.Tests.Cli;

public sealed class LaunchValidationTests
{
    private static LaunchSettings Launch(params string[] sidecarEnv) =>
        new("/repo", "/repo/GateSidecar.dll", "/usr/bin/redis-server", "/tmp/work", "everysec", "full", 2, KeepFiles: false)
        {
            SidecarEnv = sidecarEnv,
        };

    [Fact]
    public void SidecarEnv_NameEqualsValue_IsAcceptedAndLastEntryOfANameWins()
    {
        var launch = Launch("DOTNET_gcServer=0", "A=x=y", "DOTNET_gcServer=1", "EMPTY=");

        Assert.Empty(LoadRunner.Validate(new ScenarioOptions(), launch));
        Assert.Equal(
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["A"] = "x=y", ["EMPTY"] = "" },
            launch.SidecarEnvironment);
    }

    [Theory]
    [InlineData("DOTNET_gcServer")]
    [InlineData("=0")]
    [InlineData("BAD NAME=1")]
    public void SidecarEnv_NotNameEqualsValue_IsRefusedNamingTheEntry(string entry)
    {
        var errors = LoadRunner.Validate(new ScenarioOptions(), Launch(entry));

        Assert.Equal([$"--sidecar-env needs NAME=VALUE (got '{entry}')"], errors);
    }

    [Theory]
    [InlineData("4gb", true)]
    [InlineData("64MB", true)]
    [InlineData("1048576", true)]
    [InlineData("0", false)]
    [InlineData("4 gb", false)]
    [InlineData("-1mb", false)]
    [InlineData("lots", false)]
    public void RedisAofRewriteMinSize_OnlyARedisSize_IsAccepted(string size, bool accepted)
    {
        var errors = LoadRunner.Validate(new ScenarioOptions(), Launch() with { RedisAofRewriteMinSize = size });

        Assert.Equal(accepted ? [] : [$"--redis-aof-rewrite-min-size needs a size such as 64mb or 4gb (got '{size}')"], errors);
    }
}
