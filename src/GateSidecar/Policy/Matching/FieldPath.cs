using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Policy.Matching;

/// <summary>Where a path reads from.</summary>
internal enum FieldSource : byte
{
    Tool,
    Args,
    Current,
    Labels,
    AgentId,
    AgentTenant,
    AgentOnBehalfOf,
    Confidence,
}

/// <summary>
/// A parsed path such as <c>args.items.0.sku</c> or <c>labels.env</c>, resolved against a
/// <see cref="CheckRequest"/> without copying anything.
/// </summary>
internal sealed class FieldPath
{
    private readonly string[] _segments;
    private readonly int[] _indexes;

    private FieldPath(string text, FieldSource source, string[] segments)
    {
        Text = text;
        Source = source;
        _segments = segments;
        _indexes = new int[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            _indexes[i] = int.TryParse(segments[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : -1;
        }
    }

    public string Text { get; }

    public FieldSource Source { get; }

    /// <summary>True for the sources that are always strings when present (tool, labels, agent fields).</summary>
    public bool IsStringSource => Source is FieldSource.Tool or FieldSource.Labels or FieldSource.AgentId
        or FieldSource.AgentTenant or FieldSource.AgentOnBehalfOf;

    /// <summary>
    /// Parses <c>tool</c>, <c>confidence</c>, <c>agent.id</c>, <c>agent.tenant</c>, <c>agent.on_behalf_of</c>,
    /// <c>labels.&lt;key&gt;</c> (the rest is one key, dots included), <c>args[.a.b]</c> and <c>current[.a.b]</c>.
    /// </summary>
    public static FieldPath? TryParse(string text)
    {
        switch (text)
        {
            case "tool": return new FieldPath(text, FieldSource.Tool, []);
            case "confidence": return new FieldPath(text, FieldSource.Confidence, []);
            case "agent.id": return new FieldPath(text, FieldSource.AgentId, []);
            case "agent.tenant": return new FieldPath(text, FieldSource.AgentTenant, []);
            case "agent.on_behalf_of": return new FieldPath(text, FieldSource.AgentOnBehalfOf, []);
            case "args": return new FieldPath(text, FieldSource.Args, []);
            case "current": return new FieldPath(text, FieldSource.Current, []);
        }

        if (text.StartsWith("labels.", StringComparison.Ordinal) && text.Length > "labels.".Length)
        {
            return new FieldPath(text, FieldSource.Labels, [text["labels.".Length..]]);
        }

        var source = text.StartsWith("args.", StringComparison.Ordinal) ? FieldSource.Args
            : text.StartsWith("current.", StringComparison.Ordinal) ? FieldSource.Current
            : (FieldSource?)null;
        if (source is null)
        {
            return null;
        }

        var segments = text[(text.IndexOf('.', StringComparison.Ordinal) + 1)..].Split('.');
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                return null;
            }
        }

        return new FieldPath(text, source.Value, segments);
    }

    public FieldValue Resolve(CheckRequest request)
    {
        switch (Source)
        {
            case FieldSource.Tool:
                return string.IsNullOrEmpty(request.Tool) ? FieldValue.Absent : FieldValue.OfString(request.Tool);
            case FieldSource.Args:
                return Walk(request.Arguments);
            case FieldSource.Current:
                return Walk(request.Current);
            case FieldSource.Labels:
                return request.Labels.TryGetValue(_segments[0], out var label) ? FieldValue.OfString(label) : FieldValue.Absent;
            case FieldSource.AgentId:
                return NonEmpty(request.Agent?.AgentId);
            case FieldSource.AgentTenant:
                return NonEmpty(request.Agent?.Tenant);
            case FieldSource.AgentOnBehalfOf:
                return NonEmpty(request.Agent?.OnBehalfOf);
            default:
                var context = request.Context;
                return context is not null && context.HasConfidence ? FieldValue.OfNumber(context.Confidence) : FieldValue.Absent;
        }
    }

    /// <summary>The protobuf value at this path (allocating for labels, agent fields and confidence).</summary>
    public bool TryResolveValue(CheckRequest request, out Value? value)
    {
        var field = Resolve(request);
        value = field.Kind switch
        {
            FieldKind.Absent => null,
            FieldKind.Null => Value.ForNull(),
            FieldKind.Bool => Value.ForBool(field.Bool),
            FieldKind.Number => Value.ForNumber(field.Number),
            FieldKind.String => Value.ForString(field.Text!),
            FieldKind.List => new Value { ListValue = (ListValue)field.Composite! },
            _ => Value.ForStruct((Struct)field.Composite!),
        };
        return value is not null;
    }

    // proto3 cannot tell an empty agent field from an unset one: both are absent.
    private static FieldValue NonEmpty(string? text) => string.IsNullOrEmpty(text) ? FieldValue.Absent : FieldValue.OfString(text);

    private FieldValue Walk(Struct? root)
    {
        if (root is null)
        {
            return FieldValue.Absent;
        }

        if (_segments.Length == 0)
        {
            return FieldValue.OfStruct(root);
        }

        if (!root.Fields.TryGetValue(_segments[0], out var value))
        {
            return FieldValue.Absent;
        }

        for (var i = 1; i < _segments.Length; i++)
        {
            if (value.KindCase == Value.KindOneofCase.StructValue)
            {
                if (!value.StructValue.Fields.TryGetValue(_segments[i], out value))
                {
                    return FieldValue.Absent;
                }
            }
            else if (value.KindCase == Value.KindOneofCase.ListValue)
            {
                var items = value.ListValue.Values;
                var index = _indexes[i];
                if (index < 0 || index >= items.Count)
                {
                    return FieldValue.Absent;
                }

                value = items[index];
            }
            else
            {
                return FieldValue.Absent;
            }
        }

        return FieldValue.Of(value);
    }
}
