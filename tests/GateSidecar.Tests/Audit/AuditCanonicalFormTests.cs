using System.Security.Cryptography;
using System.Text;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;
using GateSidecar.Audit;
using Xunit;

namespace GateSidecar.Tests.Audit;

public sealed class AuditCanonicalFormTests
{
    [Fact]
    public void ToBytes_Entry_IsJcsOfProto3JsonWithoutHash()
    {
        var entry = new AuditEvent
        {
            Seq = 7,
            At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 21, 10, 0, 1, 500, TimeSpan.Zero)),
            ApprovalId = "apr_1",
            Type = "decision",
            Actor = "approver:alice",
            Tier = RiskTier.Single,
            Verdict = "APPROVE",
            Reason = "ok\n",
            PrevHash = AuditChain.Genesis,
            Hash = "ignored",
        };
        entry.Patch.Add(new JsonPatchOp { Op = "replace", Path = "/amount", Value = Value.ForNumber(450.0) });

        var canonical = Encoding.UTF8.GetString(AuditCanonicalForm.ToBytes(entry));

        // Keys sorted, int64 as a string, enum by name, default values (rule, args_sha256…) and hash absent.
        Assert.Equal(
            "{\"actor\":\"approver:alice\",\"approvalId\":\"apr_1\",\"at\":\"2026-11-21T10:00:01.500Z\","
            + "\"patch\":[{\"op\":\"replace\",\"path\":\"/amount\",\"value\":450}],"
            + "\"prevHash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
            + "\"reason\":\"ok\\n\",\"seq\":\"7\",\"tier\":\"RISK_TIER_SINGLE\",\"type\":\"decision\",\"verdict\":\"APPROVE\"}",
            canonical);
        Assert.Equal("ignored", entry.Hash); // the caller's entry is not modified
    }

    [Fact]
    public void ComputeHash_IsSha256OfCanonicalForm_AndIgnoresOwnHashField()
    {
        var entry = AuditTestData.Draft(4);
        entry.Seq = 4;
        entry.PrevHash = new string('f', 64);

        var expected = Convert.ToHexStringLower(SHA256.HashData(AuditCanonicalForm.ToBytes(entry)));
        var beforeSealing = AuditChain.ComputeHash(entry);
        entry.Hash = "something else";

        Assert.Equal(expected, beforeSealing);
        Assert.Equal(expected, AuditChain.ComputeHash(entry));
    }

    [Fact]
    public void ComputeHash_CoversPrevHashAndSeq()
    {
        var entry = AuditChain.Seal(AuditTestData.Draft(1), 1, AuditChain.Genesis);
        var relinked = entry.Clone();
        relinked.PrevHash = new string('1', 64);
        var renumbered = entry.Clone();
        renumbered.Seq = 2;

        Assert.NotEqual(entry.Hash, AuditChain.ComputeHash(relinked));
        Assert.NotEqual(entry.Hash, AuditChain.ComputeHash(renumbered));
    }

    [Fact]
    public void Seal_SetsSeqPrevHashAndHash()
    {
        var sealedEntry = AuditChain.Seal(AuditTestData.Draft(3), 3, new string('e', 64));

        Assert.Equal(3, sealedEntry.Seq);
        Assert.Equal(new string('e', 64), sealedEntry.PrevHash);
        Assert.Equal(64, sealedEntry.Hash.Length);
        Assert.Equal(AuditChain.ComputeHash(sealedEntry), sealedEntry.Hash);
    }
}
