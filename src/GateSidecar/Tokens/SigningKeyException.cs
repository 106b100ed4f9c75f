namespace GateSidecar.Tokens;

/// <summary>The signing key cannot be loaded or created; the message says which file and what to fix.</summary>
internal sealed class SigningKeyException : Exception
{
    public SigningKeyException(string message)
        : base(message)
    {
    }

    public SigningKeyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
