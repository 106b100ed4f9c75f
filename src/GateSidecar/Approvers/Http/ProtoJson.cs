using System.Text.Json;
using System.Text.Json.Nodes;
using GateSidecar.Approvals;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// The proto3 JSON mapping of the contract messages, as the HTTP API and webhooks speak it. Output
/// includes default values (so a client sees <c>quorum: 1</c>, <c>edited: false</c>); input accepts
/// lowerCamelCase or proto field names, and enum names with or without their prefix, in any case
/// (<c>"approve"</c>, <c>"APPROVE"</c>, <c>"DECISION_VERDICT_APPROVE"</c>). Unknown fields are refused.
/// </summary>
internal static class ProtoJson
{
    /// <summary>lowerCamelCase, the HTTP API's form.</summary>
    public static readonly JsonFormatter Api = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Proto field names (snake_case), the webhooks' form.</summary>
    public static readonly JsonFormatter Webhook = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    /// <summary>Parses <paramref name="json"/> as <typeparamref name="T"/>, or says what is wrong with it.</summary>
    public static Result<T> Parse<T>(string json, MessageDescriptor descriptor)
        where T : IMessage<T>, new()
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return ApprovalError.Invalid($"the body is not valid JSON: {ex.Message}");
        }

        if (node is not JsonObject obj)
        {
            return ApprovalError.Invalid($"the body must be a JSON object ({descriptor.Name})");
        }

        if (NormalizeEnums(obj, descriptor, string.Empty) is { } enumError)
        {
            return enumError;
        }

        try
        {
            return Parser.Parse<T>(obj.ToJsonString());
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            return ApprovalError.Invalid($"the body does not match {descriptor.Name}: {ex.Message}");
        }
    }

    /// <summary>Parses a JSON value (for instance <c>edited_arguments</c>) as a protobuf <c>Struct</c>.</summary>
    public static Result<Google.Protobuf.WellKnownTypes.Struct> ParseStruct(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return ApprovalError.Invalid($"'{field}' must be a JSON object: the full arguments to execute");
        }

        try
        {
            return Parser.Parse<Google.Protobuf.WellKnownTypes.Struct>(element.GetRawText());
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return ApprovalError.Invalid($"'{field}' is not a valid JSON object: {ex.Message}");
        }
    }

    /// <summary>The enum value named <paramref name="text"/>, with or without its prefix, in any case; null if none.</summary>
    public static EnumValueDescriptor? FindEnumValue(EnumDescriptor type, string text)
    {
        var upper = text.Trim().ToUpperInvariant();
        return type.FindValueByName(upper) ?? type.FindValueByName(Prefix(type) + upper);
    }

    /// <summary>The names a person may write, e.g. "APPROVE, REJECT, EDIT_AND_APPROVE, ESCALATE".</summary>
    public static string ShortNames(EnumDescriptor type)
    {
        var prefix = Prefix(type);
        return string.Join(", ", type.Values.Where(v => v.Number != 0).Select(v => v.Name.StartsWith(prefix, StringComparison.Ordinal) ? v.Name[prefix.Length..] : v.Name));
    }

    private static string Prefix(EnumDescriptor type)
    {
        var zero = type.FindValueByNumber(0)?.Name ?? string.Empty;
        return zero.EndsWith("UNSPECIFIED", StringComparison.Ordinal) ? zero[..^"UNSPECIFIED".Length] : string.Empty;
    }

    private static ApprovalError? NormalizeEnums(JsonObject obj, MessageDescriptor descriptor, string path)
    {
        foreach (var (name, value) in obj.ToList())
        {
            var field = descriptor.FindFieldByName(name) ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);
            if (field is null || value is null)
            {
                continue;
            }

            var where = path + name;
            if (field.FieldType == FieldType.Enum)
            {
                if (value is JsonArray array)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (Normalize(array[i], field.EnumType, $"{where}[{i}]", out var replaced) is { } error)
                        {
                            return error;
                        }

                        array[i] = replaced;
                    }
                }
                else
                {
                    if (Normalize(value, field.EnumType, where, out var replaced) is { } error)
                    {
                        return error;
                    }

                    obj[name] = replaced;
                }
            }
            else if (field.FieldType == FieldType.Message && !field.IsMap && !field.MessageType.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal))
            {
                var items = value is JsonArray list ? list.ToArray() : [value];
                foreach (var item in items)
                {
                    if (item is JsonObject child && NormalizeEnums(child, field.MessageType, where + ".") is { } error)
                    {
                        return error;
                    }
                }
            }
        }

        return null;
    }

    private static ApprovalError? Normalize(JsonNode? node, EnumDescriptor type, string where, out JsonNode? replaced)
    {
        replaced = node;
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            // Numbers and nulls are the parser's to judge.
            replaced = node?.DeepClone();
            return null;
        }

        var found = FindEnumValue(type, text);
        if (found is null || found.Number == 0)
        {
            return ApprovalError.Invalid($"{where}: '{text}' is not one of {ShortNames(type)}");
        }

        replaced = JsonValue.Create(found.Name);
        return null;
    }
}
