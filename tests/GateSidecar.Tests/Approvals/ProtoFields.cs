using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GateSidecar.Tests.Approvals;

/// <summary>Fills protobuf fields through their descriptors, for tests that must see every field.</summary>
internal static class ProtoFields
{
    /// <summary>Gives <paramref name="field"/> a value that is not its default (one element if repeated).</summary>
    public static void Fill(IMessage message, FieldDescriptor field)
    {
        var value = SampleOf(field);
        if (field.IsRepeated)
        {
            ((System.Collections.IList)field.Accessor.GetValue(message)).Add(value);
        }
        else
        {
            field.Accessor.SetValue(message, value);
        }
    }

    /// <summary>Every field of <paramref name="message"/> filled by <see cref="Fill"/>.</summary>
    public static T Filled<T>(T message) where T : IMessage
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            Fill(message, field);
        }

        return message;
    }

    private static object SampleOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => field.Name + "-value",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 7,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 7L,
        FieldType.UInt32 or FieldType.Fixed32 => 7u,
        FieldType.UInt64 or FieldType.Fixed64 => 7ul,
        FieldType.Bool => true,
        FieldType.Double => 7.5,
        FieldType.Float => 7.5f,
        FieldType.Bytes => ByteString.CopyFromUtf8("x"),
        FieldType.Enum => 1,
        FieldType.Message => field.MessageType.Parser.ParseFrom(ByteString.Empty),
        _ => throw new NotSupportedException($"{field.FullName}: {field.FieldType}"),
    };
}
