using System.Text;
using Gate.V1;
using GateSidecar.Audit;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Audit;

/// <summary>
/// The direct canonical writer (entries without a patch) must give exactly the bytes of the
/// reference path, the proto3 JSON printer followed by JCS, or every stored hash would change.
/// </summary>
public sealed class AuditCanonicalFormDirectWriterTests
{
    private static readonly string[] Texts =
    [
        string.Empty, "a", "created", "approver:alice", "agent:agent-7", "ok\n", "tab\there", "quote\"back\\slash",
        "control\u0001\u001f", "<html>&'=", "é ü ß", "日本語", "emoji 😀", "\u2028\u2029", "del\u007f", "1e3", "null",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ];

    private static readonly int[] Nanos = [0, 1, 999, 1000, 1_000_000, 123_000_000, 123_456_000, 123_456_789, 999_999_999, 500_000_000, 10];

    private static readonly long[] Seconds = [0, 1, -1, 1_795_000_000, 253402300799, -62135596800, 951_782_400];

    [Fact]
    public void ToBytes_EntriesWithoutPatch_EqualPrinterThenJcs()
    {
        var random = new Random(20261121);
        for (var i = 0; i < 3000; i++)
        {
            var entry = new AuditEvent
            {
                Seq = random.Next(4) switch { 0 => 0, 1 => random.Next(), 2 => long.MaxValue, _ => random.NextInt64() },
                ApprovalId = Pick(random),
                Type = Pick(random),
                Actor = Pick(random),
                Tier = (RiskTier)random.Next(0, 6),
                Rule = Pick(random),
                PolicyVersion = Pick(random),
                ArgsSha256 = Pick(random),
                Verdict = Pick(random),
                Reason = Pick(random) + Pick(random),
                PrevHash = Pick(random),
                Hash = random.Next(2) == 0 ? string.Empty : "ignored",
            };
            if (random.Next(5) > 0)
            {
                entry.At = new Timestamp { Seconds = Seconds[random.Next(Seconds.Length)], Nanos = Nanos[random.Next(Nanos.Length)] };
            }

            var expected = AuditCanonicalForm.ToBytesGeneric(entry);
            var actual = AuditCanonicalForm.ToBytes(entry);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"entry {i}:\nexpected {Encoding.UTF8.GetString(expected)}\nactual   {Encoding.UTF8.GetString(actual)}");
            Assert.True(expected.AsSpan().SequenceEqual(AuditCanonicalForm.ToScratch(entry)), $"entry {i}: the scratch bytes differ");
        }
    }

    [Fact]
    public void ToBytes_EntryWithPatch_UsesThePrinter()
    {
        var entry = AuditTestData.Draft(5);
        entry.Patch.Add(new JsonPatchOp { Op = "replace", Path = "/amount", Value = Value.ForNumber(0.1 + 0.2) });

        Assert.Equal(AuditCanonicalForm.ToBytesGeneric(entry), AuditCanonicalForm.ToBytes(entry));
    }

    [Fact]
    public void ToBytes_TimestampOutOfRange_FailsLikeThePrinter()
    {
        var entry = AuditTestData.Draft(1);
        entry.At = new Timestamp { Seconds = 253402300800 };

        Assert.Throws<InvalidOperationException>(() => AuditCanonicalForm.ToBytesGeneric(entry));
        Assert.Throws<InvalidOperationException>(() => AuditCanonicalForm.ToBytes(entry));
    }

    private static string Pick(Random random) => Texts[random.Next(Texts.Length)];
}
