using System.Buffers;
using System.Text.Json;

namespace Gate.Client.Evidence;

/// <summary>Writes a JSON object element with its members sorted by UTF-16 code units.</summary>
internal static class JcsObjectWriter
{
    public static void Write(IBufferWriter<byte> output, JsonElement obj, int depth)
    {
        JcsWriter.CheckDepth(depth);
        var count = obj.GetPropertyCount();
        if (count == 0)
        {
            JcsWriter.Write(output, "{}"u8);
            return;
        }

        var members = ArrayPool<KeyValuePair<string, JsonElement>>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in obj.EnumerateObject())
            {
                string name;
                try
                {
                    name = property.Name;
                }
                catch (InvalidOperationException)
                {
                    throw new JcsException("an object key holds an escaped lone surrogate, which is not well-formed Unicode");
                }

                members[n++] = new KeyValuePair<string, JsonElement>(name, property.Value);
            }

            Array.Sort(members, 0, n, MemberOrder.Instance);
            JcsWriter.WriteByte(output, (byte)'{');
            for (var i = 0; i < n; i++)
            {
                var (key, value) = members[i];
                if (i > 0)
                {
                    if (string.Equals(members[i - 1].Key, key, StringComparison.Ordinal))
                    {
                        throw new JcsException($"the key \"{key}\" appears twice in one object").Within(key);
                    }

                    JcsWriter.WriteByte(output, (byte)',');
                }

                try
                {
                    JcsWriter.WriteString(output, key);
                    JcsWriter.WriteByte(output, (byte)':');
                    JcsWriter.WriteElement(output, value, depth + 1);
                }
                catch (JcsException e)
                {
                    throw e.Within(key);
                }
            }

            JcsWriter.WriteByte(output, (byte)'}');
        }
        finally
        {
            Array.Clear(members, 0, count);
            ArrayPool<KeyValuePair<string, JsonElement>>.Shared.Return(members);
        }
    }

    private sealed class MemberOrder : IComparer<KeyValuePair<string, JsonElement>>
    {
        public static readonly MemberOrder Instance = new();

        public int Compare(KeyValuePair<string, JsonElement> x, KeyValuePair<string, JsonElement> y) =>
            string.CompareOrdinal(x.Key, y.Key);
    }
}
