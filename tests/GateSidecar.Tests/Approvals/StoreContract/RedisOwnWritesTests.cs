using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

public sealed class RedisOwnWritesTests
{
    private static ApprovalChange Change(string id, long seq, ApprovalState state = ApprovalState.Pending) => new(id, seq, state, "p");

    [Fact]
    public void Fill_MatchesIdAndSeqOnce_AndGivesAClosedStateNoDeadline()
    {
        var own = new RedisOwnWrites();
        own.Add("a", 1, [1], 5000);
        own.Add("a", 2, [2], 5000);

        Assert.Null(own.Fill(Change("a", 3)).Data);
        Assert.Null(own.Fill(Change("b", 1)).Data);
        Assert.Equal(("01", (long?)5000), Parts(own.Fill(Change("a", 1))));
        Assert.Equal(("02", (long?)0), Parts(own.Fill(Change("a", 2, ApprovalState.Approved))));
        Assert.Null(own.Fill(Change("a", 1)).Data);
        Assert.Equal((2L, 3L), own.Counts);
    }

    [Fact]
    public void Forget_WithdrawsTheOffer_AndACarriedRecordIsKept()
    {
        var own = new RedisOwnWrites();
        own.Add("a", 1, [1], 5000);
        own.Forget("a", 1);
        Assert.Null(own.Fill(Change("a", 1)).Data);

        own.Add("b", 1, [1], 5000);
        var carried = Change("b", 1) with { Data = [9], DeadlineUnixMs = 7 };
        Assert.Equal(carried, own.Fill(carried));
        Assert.Equal(("01", (long?)5000), Parts(own.Fill(Change("b", 1))));
    }

    [Fact]
    public void Add_AfterItsAnnouncementWentOutBare_IsNotKept()
    {
        var own = new RedisOwnWrites();
        Assert.Null(own.Fill(Change("a", 2, ApprovalState.Approved)).Data);
        own.Add("a", 2, [2], 0);
        own.Add("a", 3, [3], 0);
        Assert.Null(own.Fill(Change("a", 2, ApprovalState.Approved)).Data);
        Assert.NotNull(own.Fill(Change("a", 3, ApprovalState.Approved)).Data);
    }

    [Fact]
    public void Add_BeyondCapacity_ForgetsTheOldest()
    {
        var own = new RedisOwnWrites();
        for (var i = 0; i < RedisOwnWrites.Capacity + 10; i++)
        {
            own.Add("a" + i, 1, [1], 0);
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Null(own.Fill(Change("a" + i, 1)).Data);
        }

        for (var i = 10; i < RedisOwnWrites.Capacity + 10; i++)
        {
            Assert.NotNull(own.Fill(Change("a" + i, 1)).Data);
        }
    }

    private static (string? Data, long? Deadline) Parts(ApprovalChange change) => (change.Data is null ? null : Convert.ToHexString(change.Data), change.DeadlineUnixMs);
}
