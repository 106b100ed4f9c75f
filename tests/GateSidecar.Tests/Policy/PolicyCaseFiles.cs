using System.Collections.Concurrent;
using GateSidecar.Policy;
using GateSidecar.Policy.Testing;

namespace GateSidecar.Tests.Policy;

/// <summary>The YAML case files under <c>Policy/Cases</c>: an inline policy and its expected decisions.</summary>
internal static class PolicyCaseFiles
{
    private static readonly ConcurrentDictionary<string, Lazy<CaseFile>> Loaded = new(StringComparer.Ordinal);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Policy", "Cases");

    public static IEnumerable<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static CaseFile Get(string name) =>
        Loaded.GetOrAdd(name, static n => new Lazy<CaseFile>(() => Load(n))).Value;

    private static CaseFile Load(string name)
    {
        var suite = PolicyTestSuite.LoadFile(Path.Combine(Directory, name), allowInlinePolicy: true);
        if (suite.Errors.Count > 0 || suite.InlinePolicy is null)
        {
            throw new InvalidOperationException($"{name} is not a valid case file:\n{string.Join('\n', suite.Errors)}");
        }

        var loaded = PolicyLoader.LoadYaml(suite.InlinePolicy, $"{name}#policy");
        if (loaded.Policy is null)
        {
            throw new InvalidOperationException($"The policy in {name} is invalid:\n{string.Join('\n', loaded.Errors)}");
        }

        return new CaseFile(suite, loaded.Policy);
    }

    internal sealed record CaseFile(PolicyTestSuite Suite, CompiledPolicy Policy);
}
