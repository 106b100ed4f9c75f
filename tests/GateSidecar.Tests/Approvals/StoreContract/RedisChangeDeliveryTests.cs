using System.Text;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>The ordering and gap filling of Redis change delivery, without a server.</summary>
public sealed class RedisChangeDeliveryTests
{
    private readonly ApprovalChangeFanout _fanout = new();
    private readonly List<string> _delivered = [];
    private readonly RedisChangeDelivery _delivery;

    public RedisChangeDeliveryTests()
    {
        _fanout.Subscribe(c => _delivered.Add($"{c.ApprovalId}:{c.Seq}"));
        _delivery = new RedisChangeDelivery(_fanout, ex => throw ex);
    }

    [Fact]
    public void BeforeTheFirstCatchUp_MessagesAreHeldThenDeliveredInOrder()
    {
        _delivery.OnMessage(Id(10), Change("a", 1));
        _delivery.OnMessage(Id(11), Change("b", 1));
        Assert.Empty(_delivered);

        Assert.Equal(Id(10).Previous(), _delivery.CatchUpFrom(Id(11)));
        Assert.True(_delivery.TryRelease(0));

        Assert.Equal(["a:1", "b:1"], _delivered);
        _delivery.OnMessage(Id(12), Change("a", 2));
        Assert.Equal(["a:1", "b:1", "a:2"], _delivered);
    }

    [Fact]
    public void FirstCatchUp_NothingHeld_StartsAfterTheTail()
    {
        Assert.Equal(Id(5), _delivery.CatchUpFrom(Id(5)));
        Assert.True(_delivery.TryRelease(0));
        _delivery.OnMessage(Id(5), Change("old", 1));
        _delivery.OnMessage(Id(6), Change("new", 1));

        Assert.Equal(["new:1"], _delivered);
        Assert.Equal(Id(6), _delivery.CatchUpFrom(Id(100))); // started: where delivery stands, whatever the tail
    }

    [Fact]
    public void AfterALoss_LogEntriesFillTheGapAndHeldDuplicatesAreDroppedInOrder()
    {
        Start();
        _delivery.OnMessage(Id(1), Change("a", 1));
        _delivery.SubscriptionLost();
        var losses = _delivery.Losses;

        // Live again: a message arrives while the log is read; the log holds it too.
        _delivery.OnMessage(Id(4), Change("d", 1));
        _delivery.DeliverFromLog([(Id(2), Change("b", 1)), (Id(3), Change("c", 1)), (Id(4), Change("d", 1))]);
        Assert.Equal(["a:1", "b:1", "c:1", "d:1"], _delivered);
        _delivery.OnMessage(Id(5), Change("e", 1));
        Assert.True(_delivery.TryRelease(losses));

        Assert.Equal(["a:1", "b:1", "c:1", "d:1", "e:1"], _delivered);
    }

    [Fact]
    public void LostAgainDuringTheCatchUp_ReleaseRefusesAndKeepsHolding()
    {
        Start();
        _delivery.SubscriptionLost();
        var losses = _delivery.Losses;
        _delivery.DeliverFromLog([(Id(1), Change("a", 1))]);
        _delivery.SubscriptionLost();

        Assert.False(_delivery.TryRelease(losses));
        _delivery.OnMessage(Id(3), Change("c", 1));
        Assert.Equal(["a:1"], _delivered);

        _delivery.DeliverFromLog([(Id(2), Change("b", 1)), (Id(3), Change("c", 1))]);
        Assert.True(_delivery.TryRelease(_delivery.Losses));
        Assert.Equal(["a:1", "b:1", "c:1"], _delivered);
    }

    [Fact]
    public void ChangeLogId_ParsesOrdersAndRefusesMalformed()
    {
        Assert.True(ChangeLogId.TryParse("1700000000000-3"u8, out var id));
        Assert.Equal(new ChangeLogId(1700000000000, 3), id);
        Assert.True(new ChangeLogId(2, 0) > new ChangeLogId(1, 99));
        Assert.Equal(new ChangeLogId(1, long.MaxValue), new ChangeLogId(2, 0).Previous());
        Assert.Equal("2-1", new ChangeLogId(2, 1).ToString());
        foreach (var bad in new[] { "", "-1", "1-", "1--2", "a-1", "1-b", "12" })
        {
            Assert.False(ChangeLogId.TryParse(Encoding.ASCII.GetBytes(bad), out _), bad);
        }
    }

    [Fact]
    public void Message_ParsesEntryIdWriterAndChange()
    {
        Assert.True(RedisChangeMessage.TryParse("5-0:w1:1700000000000:2:1:6:ap_abcfinance"u8, out var entry, out var writer, out var change));
        Assert.Equal(new ChangeLogId(5, 0), entry);
        Assert.Equal("w1", Encoding.UTF8.GetString(writer));
        Assert.Equal(new ApprovalChange("ap_abc", 2, ApprovalState.Pending, "finance", DeadlineUnixMs: 1700000000000), change);

        // As sidecars of earlier builds publish it: no writer.
        Assert.True(RedisChangeMessage.TryParse("5-1:2:1:6:ap_abcfinance"u8, out entry, out writer, out change));
        Assert.Equal((new ChangeLogId(5, 1), 0), (entry, writer.Length));
        Assert.Equal(new ApprovalChange("ap_abc", 2, ApprovalState.Pending, "finance"), change); // no deadline: null

        foreach (var bad in new[] { "2:1:6:ap_abcfinance", "5-0::0:2:1:6:ap_abcfinance", "5-0:w1", "5-0:w1:0", "5-0:w1:2:1:6:ap_abcfinance", "5-0:w1:-1:2:1:6:ap_abc", "5-0:w1:0:x:1:6:ap_abc", "5-0:" })
        {
            Assert.False(RedisChangeMessage.TryParse(Encoding.UTF8.GetBytes(bad), out _, out _, out _), bad);
        }
    }

    [Fact]
    public void OwnWrites_FillOnlyChangesNamingThisWriter_OrWhoseWriteApplied()
    {
        var own = new RedisOwnWrites();
        var delivered = new List<ApprovalChange>();
        var fanout = new ApprovalChangeFanout();
        fanout.Subscribe(delivered.Add);
        var delivery = new RedisChangeDelivery(fanout, ex => throw ex, own);
        own.Add("held", 1, [1], 0);
        own.Add("live", 1, [2], 0);
        own.Add("other", 1, [3], 0);
        own.Add("log", 1, [4], 0)!.MarkApplied();

        delivery.OnMessage(Id(1), Change("held", 1), fromThisWriter: true);
        Assert.Equal(Id(0), delivery.CatchUpFrom(Id(0)));
        delivery.DeliverFromLog([(Id(1), Change("held", 1)), (Id(2), Change("log", 1))]);
        Assert.True(delivery.TryRelease(0));
        delivery.OnMessage(Id(3), Change("live", 1), fromThisWriter: true);
        delivery.OnMessage(Id(4), Change("other", 1), fromThisWriter: false);

        Assert.Equal([("held", (byte?)null), ("log", 4), ("live", 2), ("other", null)], delivered.Select(c => (c.ApprovalId, c.Data?[0])));
    }

    private void Start()
    {
        _delivery.CatchUpFrom(ChangeLogId.Zero);
        Assert.True(_delivery.TryRelease(0));
    }

    private static ChangeLogId Id(long ms) => new(ms, 0);

    private static ApprovalChange Change(string id, long seq) => new(id, seq, ApprovalState.Pending, "default");
}
