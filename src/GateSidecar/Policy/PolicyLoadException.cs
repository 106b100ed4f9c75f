namespace GateSidecar.Policy;

/// <summary>Thrown when the policy a process starts with is invalid; carries every error.</summary>
internal sealed class PolicyLoadException : Exception
{
    public PolicyLoadException(string source, IReadOnlyList<string> errors)
        : base(FormatMessage(source, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }

    private static string FormatMessage(string source, IReadOnlyList<string> errors) =>
        $"The policy '{source}' is invalid ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):"
        + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors);
}
