namespace Gate.Client.Evidence;

/// <summary>
/// A value that has no RFC 8785 canonical form: NaN or an infinite number, a string with a lone
/// surrogate, a duplicate object key, a <c>google.protobuf.Value</c> with no kind set, or nesting
/// deeper than <see cref="Jcs.MaxDepth"/>.
/// </summary>
public sealed class JcsException : FormatException
{
    private readonly string _problem;
    private string _path = string.Empty;

    /// <summary>Creates an exception describing <paramref name="problem"/> at the root of the value.</summary>
    public JcsException(string problem)
        : base(problem)
    {
        _problem = problem;
    }

    /// <summary>Where the offending value sits, as a JSON Pointer (RFC 6901); empty for the root.</summary>
    public string Path => _path;

    /// <inheritdoc />
    public override string Message =>
        $"{(_path.Length == 0 ? "the value" : _path)}: {_problem}. RFC 8785 (JCS) canonical JSON needs finite numbers, well-formed Unicode strings and unique keys; fix the value at that path.";

    /// <summary>Adds the enclosing object key or array index while the exception unwinds.</summary>
    internal JcsException Within(string segment)
    {
        _path = "/" + segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal) + _path;
        return this;
    }

    internal JcsException Within(int index) => Within(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
