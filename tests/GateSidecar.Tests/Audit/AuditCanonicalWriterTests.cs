using System.Buffers;
using System.Text;
using Gate.V1;
using GateSidecar.Audit;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Audit;

/// <summary>
/// The direct writer against the definition (<see cref="AuditCanonicalForm"/>: proto3 JSON printer,
/// then JCS): byte for byte, on many random entries, so a hash never depends on which path computed it.
/// </summary>
public sealed class AuditCanonicalWriterTests
{
    private const string Alphabet = "aZ09 _-:/.\"\\\n\t\r\b\f\u0000\u0001\u001f\u007f\u0080é€\u2028\u2029\ufeffあ😀\U0001F600<>&'+=%";

    [Fact]
    public void Writer_RandomEntries_ProduceTheDefinitionsBytes()
    {
        var random = new Random(20261121);
        for (var i = 0; i < 20_000; i++)
        {
            var entry = RandomEntry(random);

            var direct = Direct(entry);

            Assert.True(direct is not null, "entry " + i + " was not written directly");
            var expected = AuditCanonicalForm.ToBytes(entry);
            if (!direct.AsSpan().SequenceEqual(expected))
            {
                Assert.Fail($"entry {i} differs:\n  definition {Encoding.UTF8.GetString(expected)}\n  direct     {Encoding.UTF8.GetString(direct)}");
            }
        }
    }

    [Fact]
    public void Writer_ChainTestData_MatchesAndHashesAgree()
    {
        foreach (var entry in AuditTestData.Chain(64))
        {
            Assert.Equal(AuditCanonicalForm.ToBytes(entry), Direct(entry));
        }
    }

    [Fact]
    public void Writer_EmptyEntry_IsAnEmptyObject()
    {
        Assert.Equal("{}"u8.ToArray(), Direct(new AuditEvent()));
        Assert.Equal(AuditCanonicalForm.ToBytes(new AuditEvent()), Direct(new AuditEvent()));
    }

    [Fact]
    public void Writer_InputsItDoesNotHandle_FallBackAndComputeHashStillFollowsTheDefinition()
    {
        var unnamedTier = new AuditEvent { Type = "created", Tier = (RiskTier)42 };
        var valueWithoutKind = new AuditEvent { Type = "decision", Patch = { new JsonPatchOp { Op = "add", Path = "/x", Value = new Value() } } };
        var emptyMemberName = new AuditEvent { Type = "decision", Patch = { new JsonPatchOp { Op = "add", Path = "/x", Value = Value.ForStruct(new Struct { Fields = { [""] = Value.ForNumber(1) } }) } } };
        var notANumber = new AuditEvent { Type = "decision", Patch = { new JsonPatchOp { Op = "add", Path = "/x", Value = Value.ForNumber(double.NaN) } } };

        Assert.Null(Direct(unnamedTier));
        Assert.Null(Direct(valueWithoutKind));
        Assert.Null(Direct(emptyMemberName));
        Assert.Null(Direct(notANumber));
        Assert.Equal(HashOf(AuditCanonicalForm.ToBytes(unnamedTier)), AuditChain.ComputeHash(unnamedTier));
    }

    [Fact]
    public void Writer_KnowsEveryFieldOfTheProto()
    {
        var fields = AuditEvent.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).ToList();

        Assert.Equal(AuditCanonicalWriter.KnownFields, fields);
    }

    private static byte[]? Direct(AuditEvent entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return AuditCanonicalWriter.TryWrite(buffer, entry) ? buffer.WrittenSpan.ToArray() : null;
    }

    private static string HashOf(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static AuditEvent RandomEntry(Random random)
    {
        var entry = new AuditEvent
        {
            Seq = random.Next(4) switch { 0 => 0, 1 => random.Next(1, 1000), 2 => random.NextInt64(), _ => -random.NextInt64(1, long.MaxValue) },
            At = random.Next(5) == 0 ? null : RandomTimestamp(random),
            ApprovalId = Text(random, 32),
            Type = Text(random, 10),
            Actor = Text(random, 20),
            Tier = (RiskTier)random.Next(0, 5),
            Rule = Text(random, 12),
            PolicyVersion = Text(random, 12),
            ArgsSha256 = Text(random, 64),
            Verdict = Text(random, 8),
            Reason = Text(random, 80),
            PrevHash = Text(random, 64),
            Hash = Text(random, 64), // ignored by both
        };
        var ops = random.Next(4) == 0 ? random.Next(1, 4) : 0;
        for (var i = 0; i < ops; i++)
        {
            entry.Patch.Add(new JsonPatchOp
            {
                Op = Text(random, 7),
                Path = Text(random, 15),
                Value = random.Next(5) == 0 ? null : RandomValue(random, 0),
            });
        }

        return entry;
    }

    private static Timestamp RandomTimestamp(Random random)
    {
        var seconds = random.NextInt64(-62135596800, 253402300800);
        var nanos = random.Next(5) switch
        {
            0 => 0,
            1 => random.Next(0, 1000) * 1_000_000,
            2 => random.Next(0, 1_000_000) * 1_000,
            3 => random.Next(0, 1_000_000_000),
            _ => 999_999_999,
        };
        return new Timestamp { Seconds = seconds, Nanos = nanos };
    }

    private static Value RandomValue(Random random, int depth) => random.Next(depth > 3 ? 4 : 6) switch
    {
        0 => Value.ForNull(),
        1 => Value.ForBool(random.Next(2) == 0),
        2 => Value.ForNumber(RandomNumber(random)),
        3 => Value.ForString(Text(random, 12)),
        4 => Value.ForList([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))]),
        _ => Value.ForStruct(RandomStruct(random, depth + 1)),
    };

    private static Struct RandomStruct(Random random, int depth)
    {
        var result = new Struct();
        for (var i = random.Next(5); i > 0; i--)
        {
            var key = Text(random, 6);
            result.Fields[key.Length == 0 ? "k" : key] = RandomValue(random, depth);
        }

        return result;
    }

    private static double RandomNumber(Random random) => random.Next(6) switch
    {
        0 => random.Next(-1000, 1000),
        1 => Math.Round(random.NextDouble() * 10_000, 2),
        2 => BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsFinite(d) ? d : 1.5,
        3 => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
        4 => -0.0,
        _ => random.Next(2) == 0 ? 1e21 : 9007199254740993,
    };

    private static string Text(Random random, int maxLength)
    {
        if (random.Next(4) == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        for (var n = random.Next(1, maxLength + 1); n > 0; n--)
        {
            var pick = Alphabet[random.Next(Alphabet.Length)];
            if (char.IsSurrogate(pick))
            {
                text.Append("😀");
                continue;
            }

            text.Append(pick);
        }

        return text.ToString();
    }
}
