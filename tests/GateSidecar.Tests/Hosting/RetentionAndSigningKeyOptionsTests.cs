using GateSidecar.Hosting;
using Microsoft.Extensions.Configuration;

namespace GateSidecar.Tests.Hosting;

/// <summary><c>--signing-key</c> (repeatable), <c>--audit-retention</c> and <c>--retention</c>.</summary>
public sealed class RetentionAndSigningKeyOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gate-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SigningKey_Repeated_KeepsEveryPathInOrder_FirstSigns()
    {
        var (a, b) = (Touch("new.pem"), Touch("old.pem"));

        var result = GateOptionsParser.Parse(["--signing-key", a, "--signing-key=" + b]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal([a, b], result.Options.SigningKeyPaths);
        Assert.Equal(a, result.Options.SigningKeyPath);
    }

    [Fact]
    public void SigningKey_CommandLine_ReplacesTheConfiguredList()
    {
        var (a, b, c) = (Touch("a.pem"), Touch("b.pem"), Touch("c.pem"));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["SIGNING_KEY"] = a + Path.PathSeparator + b })
            .Build();

        var configured = GateOptionsParser.Parse([], configuration);
        var overridden = GateOptionsParser.Parse(["--signing-key", c], configuration);

        Assert.Equal([a, b], configured.Options.SigningKeyPaths);
        Assert.Equal([c], overridden.Options.SigningKeyPaths);
    }

    [Fact]
    public void SigningKey_DirectoryOrMissingPath_DirectoryIsAcceptedMissingIsAnError()
    {
        var missing = Path.Combine(_dir, "nope.pem");

        var result = GateOptionsParser.Parse(["--signing-key", _dir, "--signing-key", missing]);

        Assert.Equal([$"--signing-key {missing}: no such file or directory"], result.Errors);
    }

    [Fact]
    public void SigningKeyPath_SetDirectly_IsTheOnlyPath()
    {
        var options = new GateOptions { SigningKeyPath = "k.pem" };

        Assert.Equal(["k.pem"], options.SigningKeyPaths);
        Assert.Null(new GateOptions().SigningKeyPath);
    }

    [Theory]
    [InlineData("90d", 90 * 24 * 60)]
    [InlineData("1d12h", 36 * 60)]
    [InlineData("36h", 36 * 60)]
    [InlineData("30m", 30)]
    public void Retention_Durations_AcceptDaysAndPolicyUnits(string text, int minutes)
    {
        var result = GateOptionsParser.Parse(["--audit-retention", text, "--retention", text]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(TimeSpan.FromMinutes(minutes), result.Options.AuditRetention);
        Assert.Equal(TimeSpan.FromMinutes(minutes), result.Options.Retention);
    }

    [Fact]
    public void Retention_NotGiven_KeepsForever()
    {
        var options = GateOptionsParser.Parse([]).Options;

        Assert.Equal(((TimeSpan?)null, (TimeSpan?)null), (options.AuditRetention, options.Retention));
    }

    [Theory]
    [InlineData("forever")]
    [InlineData("0s")]
    [InlineData("d")]
    [InlineData("12")]
    [InlineData("3w")]
    public void Retention_BadDuration_SaysWhatToWrite(string text)
    {
        var result = GateOptionsParser.Parse(["--audit-retention", text]);

        Assert.Equal(
            [$"--audit-retention: '{text}' is not a positive duration; use a number with a unit (d, h, m, s, ms), combinable: 90d, 36h, 1d12h"],
            result.Errors);
    }

    [Fact]
    public void Usage_ListsTheNewFlags()
    {
        var usage = GateOptionsParser.Usage();

        Assert.Contains("--audit-retention DURATION", usage, StringComparison.Ordinal);
        Assert.Contains("--retention DURATION", usage, StringComparison.Ordinal);
        Assert.Contains("repeat to keep publishing older keys", usage, StringComparison.Ordinal);
    }

    private string Touch(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "placeholder");
        return path;
    }
}
