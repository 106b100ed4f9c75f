using Google.Protobuf;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// Reads the garbage-collector counters of the .NET runtime's <c>System.Runtime</c> meter out of an
/// OTLP <c>ExportMetricsServiceRequest</c> (protobuf, cumulative sums): <c>dotnet.gc.heap.total_allocated</c>,
/// <c>dotnet.gc.collections</c> by <c>gc.heap.generation</c> and <c>dotnet.gc.pause.time</c>. Only the
/// fields on that path are decoded; everything else is skipped.
/// </summary>
internal static class OtlpGcDecoder
{
    public const string Allocated = "dotnet.gc.heap.total_allocated";
    public const string Collections = "dotnet.gc.collections";
    public const string Paused = "dotnet.gc.pause.time";
    public const string Generation = "gc.heap.generation";

    /// <summary>The reading an export carries, or null when it holds none of the three counters.</summary>
    /// <exception cref="InvalidProtocolBufferException">The body is not a protobuf message.</exception>
    public static GcReading? Decode(ReadOnlySpan<byte> body)
    {
        var state = new Totals();
        ForEachField(body, 1, resource => ForEachField(resource, 2, scope => ForEachField(scope, 2, metric => ReadMetric(metric, ref state))));
        return state.Seen ? new GcReading(state.Time, state.Allocated, state.Gen0, state.Gen1, state.Gen2, state.Paused) : null;
    }

    private delegate void Nested(ReadOnlySpan<byte> message);

    private static void ForEachField(ReadOnlySpan<byte> message, int field, Nested each)
    {
        var input = new CodedInputStream(message.ToArray());
        while (input.ReadTag() is var tag && tag != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                each(input.ReadBytes().Span);
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private static void ReadMetric(ReadOnlySpan<byte> metric, ref Totals totals)
    {
        var input = new CodedInputStream(metric.ToArray());
        string? name = null;
        ByteString? sum = null;
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    name = input.ReadString();
                    break;
                case 7 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    sum = input.ReadBytes();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (sum is null || name is not (Allocated or Collections or Paused))
        {
            return;
        }

        var points = new CodedInputStream(sum.ToByteArray());
        while (points.ReadTag() is var tag && tag != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var (time, value, generation) = ReadPoint(points.ReadBytes());
                totals.Seen = true;
                totals.Time = Math.Max(totals.Time, time);
                switch (name)
                {
                    case Allocated:
                        totals.Allocated += value;
                        break;
                    case Paused:
                        totals.Paused += value;
                        break;
                    case Collections when generation == "gen0":
                        totals.Gen0 += value;
                        break;
                    case Collections when generation == "gen1":
                        totals.Gen1 += value;
                        break;
                    case Collections when generation == "gen2":
                        totals.Gen2 += value;
                        break;
                }
            }
            else
            {
                points.SkipLastField();
            }
        }
    }

    private static (long Time, double Value, string? Generation) ReadPoint(ByteString point)
    {
        var input = new CodedInputStream(point.ToByteArray());
        long time = 0;
        double value = 0;
        string? generation = null;
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (3, WireFormat.WireType.Fixed64):
                    time = (long)input.ReadFixed64();
                    break;
                case (4, WireFormat.WireType.Fixed64):
                    value = input.ReadDouble();
                    break;
                case (6, WireFormat.WireType.Fixed64):
                    value = input.ReadSFixed64();
                    break;
                case (7, WireFormat.WireType.LengthDelimited):
                    var (key, text) = ReadAttribute(input.ReadBytes());
                    if (key == Generation)
                    {
                        generation = text;
                    }

                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (time, value, generation);
    }

    /// <summary>A KeyValue's key and, when its AnyValue is a string, that string.</summary>
    private static (string? Key, string? Text) ReadAttribute(ByteString keyValue)
    {
        var input = new CodedInputStream(keyValue.ToByteArray());
        string? key = null, text = null;
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited):
                    key = input.ReadString();
                    break;
                case (2, WireFormat.WireType.LengthDelimited):
                    var any = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (any.ReadTag() is var inner && inner != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(inner) == 1 && WireFormat.GetTagWireType(inner) == WireFormat.WireType.LengthDelimited)
                        {
                            text = any.ReadString();
                        }
                        else
                        {
                            any.SkipLastField();
                        }
                    }

                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, text);
    }

    private struct Totals
    {
        public bool Seen;
        public long Time;
        public double Allocated;
        public double Gen0;
        public double Gen1;
        public double Gen2;
        public double Paused;
    }
}
