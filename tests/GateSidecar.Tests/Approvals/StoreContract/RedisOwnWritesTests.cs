using System.Text;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

public sealed class RedisOwnWritesTests
{
    private static ApprovalChange Change(string id, long seq, ApprovalState state = ApprovalState.Pending) => new(id, seq, state, "p");

    [Fact]
    public void Fill_ChangeNamingThisWriter_CarriesTheOfferOnce_AndAClosedStateNoDeadline()
    {
        var own = new RedisOwnWrites();
        own.Add("a", 1, [1], 5000);
        own.Add("a", 2, [2], 5000);

        Assert.Null(own.Fill(Change("a", 3), fromThisWriter: true).Data);
        Assert.Null(own.Fill(Change("b", 1), fromThisWriter: true).Data);
        Assert.Equal(("01", (long?)5000), Parts(own.Fill(Change("a", 1), fromThisWriter: true)));
        Assert.Equal(("02", (long?)0), Parts(own.Fill(Change("a", 2, ApprovalState.Approved), fromThisWriter: true)));
        Assert.Null(own.Fill(Change("a", 1), fromThisWriter: true).Data);
        Assert.Equal((2L, 3L), own.Counts);
    }

    [Fact]
    public void Fill_ChangeNamingNoWriter_CarriesTheOfferOnlyOnceItsWriteApplied()
    {
        var own = new RedisOwnWrites();
        own.Add("a", 2, [2], 0)!.MarkApplied();
        own.Add("b", 2, [2], 0);

        Assert.NotNull(own.Fill(Change("a", 2), fromThisWriter: false).Data);

        // Another writer's change of the same id and seq (this write will not apply), or one read
        // from the change log before the reply: bare, and it takes the offer.
        Assert.Null(own.Fill(Change("b", 2), fromThisWriter: false).Data);
        Assert.Null(own.Fill(Change("b", 2), fromThisWriter: true).Data);
    }

    [Fact]
    public void Add_SameIdAndSeqTwice_OnlyTheFirstOffers_AndForgettingTheSecondKeepsIt()
    {
        var own = new RedisOwnWrites();
        var first = own.Add("a", 2, [1], 0);
        Assert.NotNull(first);
        Assert.Null(own.Add("a", 2, [2], 0));

        var other = new RedisOwnWrites.Offer([3], 0, null);
        own.Forget("a", 2, other);
        Assert.Equal(("01", (long?)0), Parts(own.Fill(Change("a", 2), fromThisWriter: true)));
    }

    [Fact]
    public void Forget_WithdrawsTheOffer_AndACarriedRecordIsKept()
    {
        var own = new RedisOwnWrites();
        own.Forget("a", 1, own.Add("a", 1, [1], 5000)!);
        Assert.Null(own.Fill(Change("a", 1), fromThisWriter: true).Data);

        own.Add("b", 1, [1], 5000);
        var carried = Change("b", 1) with { Data = [9], DeadlineUnixMs = 7 };
        Assert.Equal(carried, own.Fill(carried, fromThisWriter: true));
        Assert.Equal(("01", (long?)5000), Parts(own.Fill(Change("b", 1), fromThisWriter: true)));
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
            Assert.Null(own.Fill(Change("a" + i, 1), fromThisWriter: true).Data);
        }

        for (var i = 10; i < RedisOwnWrites.Capacity + 10; i++)
        {
            Assert.NotNull(own.Fill(Change("a" + i, 1), fromThisWriter: true).Data);
        }
    }

    [Fact]
    public void WriterId_IsNamedInMessages_AndTwoProcessesDiffer()
    {
        var own = new RedisOwnWrites();
        Assert.True(own.IsThisWriter(Encoding.UTF8.GetBytes(own.WriterId)));
        Assert.False(own.IsThisWriter(Encoding.UTF8.GetBytes(new RedisOwnWrites().WriterId)));
        Assert.False(own.IsThisWriter([]));
        Assert.Throws<ArgumentException>(() => new RedisOwnWrites("a:b"));
        Assert.Throws<ArgumentException>(() => new RedisOwnWrites("1ab"));
    }

    [Fact]
    public void Fill_CarriesTheWritersOwnRecord_SoNoListenerParsesIt()
    {
        var own = new RedisOwnWrites();
        var record = new GateSidecar.Approvals.Stored.StoredApproval { Approval = new Gate.V1.Approval { ApprovalId = "a", Seq = 1 } };
        own.Add("a", 1, Google.Protobuf.MessageExtensions.ToByteArray(record), 0, record);

        var filled = own.Fill(Change("a", 1), fromThisWriter: true);

        Assert.Same(record, filled.Committed());
    }

    private static (string? Data, long? Deadline) Parts(ApprovalChange change) => (change.Data is null ? null : Convert.ToHexString(change.Data), change.DeadlineUnixMs);
}
