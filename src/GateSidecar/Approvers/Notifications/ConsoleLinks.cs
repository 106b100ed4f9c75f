namespace GateSidecar.Approvers.Notifications;

/// <summary>Links into the console, as notifications carry them (<c>--console-url</c>).</summary>
internal static class ConsoleLinks
{
    /// <summary>Checks a <c>--console-url</c> value; returns it without a trailing slash.</summary>
    public static string? Validate(string value, string source, List<string> errors)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment))
        {
            return value.TrimEnd('/');
        }

        errors.Add($"{source}: '{value}' is not an http(s) address without query or fragment (e.g. https://gate.example.com)");
        return null;
    }

    /// <summary>The console focused on one approval, optionally with an action's controls focused (never applied by the link itself).</summary>
    public static string ForApproval(string consoleBase, string approvalId, string? action = null) =>
        $"{consoleBase.TrimEnd('/')}/#approval={Uri.EscapeDataString(approvalId)}{(action is null ? string.Empty : "&action=" + action)}";
}
