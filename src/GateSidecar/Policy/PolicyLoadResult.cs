namespace GateSidecar.Policy;

/// <summary>
/// The outcome of loading a policy: a compiled policy, or every error found (never both). Each error names
/// its place (<c>file:line:column</c>), the rule and the key.
/// </summary>
internal sealed record PolicyLoadResult(CompiledPolicy? Policy, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Policy is not null;
}
