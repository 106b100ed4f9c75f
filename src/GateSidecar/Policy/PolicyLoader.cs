using GateSidecar.Policy.Loading;

namespace GateSidecar.Policy;

/// <summary>Loads, validates and compiles a policy. Never throws for bad input: errors are values.</summary>
internal static class PolicyLoader
{
    public static PolicyLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PolicyLoadResult(null, [$"{path}: cannot read the policy file: {e.Message}"]);
        }

        return LoadYaml(yaml, path);
    }

    /// <summary><paramref name="sourceName"/> prefixes every error (<c>name:line:column: ...</c>).</summary>
    public static PolicyLoadResult LoadYaml(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        return PolicyParser.Parse(yaml, sourceName);
    }
}
