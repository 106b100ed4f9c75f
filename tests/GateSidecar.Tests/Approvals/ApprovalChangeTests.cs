using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using Google.Protobuf;

namespace GateSidecar.Tests.Approvals;

/// <summary>A change's committed record: parsed once, shared by the listeners of that change, never carried into another change.</summary>
public sealed class ApprovalChangeTests
{
    private static byte[] Record(long seq) => new StoredApproval { Approval = new Approval { ApprovalId = "ap_1", Seq = seq, State = ApprovalState.Pending } }.ToByteArray();

    [Fact]
    public void Committed_ParsedOnceForEveryListener()
    {
        var change = new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", Record(1));

        var seen = new StoredApproval?[8];
        Parallel.For(0, seen.Length, i => seen[i] = change.Committed());

        Assert.Equal(1, seen[0]!.Approval.Seq);
        Assert.All(seen, s => Assert.Same(seen[0], s));
        Assert.Null(new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p").Committed());
    }

    [Fact]
    public void With_NewData_ParsesTheNewData_AndEqualityIgnoresWhatWasParsed()
    {
        var data = Record(1);
        var change = new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", data);
        var parsed = change.Committed();

        var moved = change with { Data = Record(2) };
        var same = change with { DeadlineUnixMs = 5 };

        Assert.Equal(2, moved.Committed()!.Approval.Seq);
        Assert.NotSame(parsed, same.Committed());
        Assert.Equal(parsed, same.Committed());
        Assert.Equal(new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", data), change);
        Assert.Equal(new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", data).GetHashCode(), change.GetHashCode());
        Assert.NotEqual(new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", Record(1)), change); // another array: another commit
    }

    [Fact]
    public void CommittedRecord_TheWritersOwnRecord_NotParsed_AndNotCarriedByWith()
    {
        var record = new StoredApproval { Approval = new Approval { ApprovalId = "ap_1", Seq = 1 } };
        var change = new ApprovalChange("ap_1", 1, ApprovalState.Pending, "p", record.ToByteArray()) { CommittedRecord = record };

        Assert.Same(record, change.Committed());
        Assert.NotSame(record, (change with { Seq = 1 }).Committed());
        Assert.Equal(record, (change with { Seq = 1 }).Committed());
    }
}
