using Gate.LoadTests.Scenarios;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class IdLedgerTests
{
    [Fact]
    public void Count_DistinctIds_NoDuplicates()
    {
        var ledger = new IdLedger(1000);
        for (var i = 0; i < 1000; i++)
        {
            ledger.Record(i, Guid.NewGuid().ToString("N"));
        }

        Assert.Equal((1000, 0), ledger.Count());
    }

    [Fact]
    public void Count_SharedId_IsReportedAsDuplicate()
    {
        var ledger = new IdLedger(10);
        ledger.Record(0, "a");
        ledger.Record(1, "b");
        ledger.Record(2, "a");

        Assert.Equal((3, 1), ledger.Count());
    }

    [Fact]
    public void Count_UnfilledSlots_AreNotCounted()
    {
        var ledger = new IdLedger(10);
        ledger.Record(3, "only");

        Assert.Equal((1, 0), ledger.Count());
    }
}
