using System.Collections;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using Google.Protobuf;

namespace GateSidecar.Tests.Approvals;

public sealed class RecordCopiesTests
{
    /// <summary>
    /// Every field of both protos is carried over (one added and forgotten fails here), every
    /// message field is the same message, and every list is the copy's own with the same elements.
    /// </summary>
    [Fact]
    public void Shallow_CarriesEveryField_SharesMessages_OwnsItsLists()
    {
        var record = ProtoFields.Filled(new StoredApproval());
        record.Approval = ProtoFields.Filled(new Approval());

        var copy = RecordCopies.Shallow(record);

        Assert.Equal(record, copy);
        Assert.NotSame(record.Approval, copy.Approval);
        AssertShared(record, copy, "approval");
        AssertShared(record.Approval, copy.Approval, string.Empty);
    }

    [Fact]
    public void Shallow_ChangingTheCopysFieldsAndLists_LeavesTheOriginal()
    {
        var record = ProtoFields.Filled(new StoredApproval());
        record.Approval = ProtoFields.Filled(new Approval());
        var before = record.Clone();

        var copy = RecordCopies.Shallow(record);
        copy.Approval.Seq++;
        copy.Approval.State = ApprovalState.Approved;
        copy.Approval.Token = "other";
        copy.Approval.Decisions.Add(new DecisionRecord { Approver = "bob" });
        copy.Approval.Diff.Clear();
        copy.Approval.Impact.Clear();
        copy.Ladder.RemoveAt(0);
        copy.Redact.Add("args.more");
        copy.LastActor = "someone";

        Assert.Equal(before, record);
    }

    [Fact]
    public void Shallow_AStoredRecordWithoutAnApproval_IsCopiedWithoutOne()
    {
        var copy = RecordCopies.Shallow(new StoredApproval { LastActor = "timer" });
        Assert.Null(copy.Approval);
        Assert.Equal("timer", copy.LastActor);
    }

    private static void AssertShared(IMessage original, IMessage copy, string except)
    {
        foreach (var field in original.Descriptor.Fields.InDeclarationOrder())
        {
            var a = field.Accessor.GetValue(original);
            var b = field.Accessor.GetValue(copy);
            if (field.IsRepeated)
            {
                Assert.NotSame(a, b);
                var left = ((IList)a).Cast<object>().ToList();
                var right = ((IList)b).Cast<object>().ToList();
                Assert.Equal(left.Count, right.Count);
                for (var i = 0; i < left.Count; i++)
                {
                    Assert.Same(left[i], right[i]);
                }
            }
            else if (field.FieldType == Google.Protobuf.Reflection.FieldType.Message && field.Name != except)
            {
                Assert.Same(a, b);
            }
        }
    }
}
