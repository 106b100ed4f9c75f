using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>
/// Collects every validation error of one load, each as <c>source:line:column: where: key 'k': message</c>,
/// and hands them back in file order.
/// </summary>
internal sealed class PolicyErrors(string source)
{
    private readonly List<(long Line, long Column, int Seq, string Text)> _errors = [];

    public int Count => _errors.Count;

    /// <summary>Adds an error about <paramref name="key"/> of <paramref name="where"/> (e.g. <c>rule 'x'</c>; empty at the top).</summary>
    public void Add(YamlNode? at, string where, string? key, string message)
    {
        var prefix = where.Length == 0 ? string.Empty : where + ": ";
        var keyPart = key is null ? string.Empty : $"key '{key}': ";
        AddAt(at?.Start.Line ?? 1, at?.Start.Column ?? 1, prefix + keyPart + message);
    }

    public void AddAt(long line, long column, string message) =>
        _errors.Add((line, column, _errors.Count, $"{source}:{line}:{column}: {message}"));

    public IReadOnlyList<string> ToList()
    {
        _errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line)
            : a.Column != b.Column ? a.Column.CompareTo(b.Column)
            : a.Seq.CompareTo(b.Seq));
        var list = new string[_errors.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = _errors[i].Text;
        }

        return list;
    }
}
