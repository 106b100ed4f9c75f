using Gate.Client;
using Gate.V1;
using GateCtl;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Audit;
using GateSidecar.Tests.Approvals.Functional;
using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Tests.Audit;

/// <summary><c>gatectl audit verify</c> and <c>gatectl audit export</c>, run in-process against the whole sidecar.</summary>
public sealed class GateCtlAuditCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ApprovalSidecar _sidecar = null!;
    private string _server = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _sidecar = await ApprovalSidecar.StartAsync();
        _server = _sidecar.Channel.Address.ToString().TrimEnd('/');
    }

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task AuditVerify_IntactChain_PrintsOkAndExitsZero()
    {
        await CheckAsync(ApprovalSidecar.Refund(100));
        await CheckAsync(ApprovalSidecar.Refund(900));

        var (exit, output, error) = await RunAsync("audit", "verify", "--server", _server);

        Assert.Equal((0, string.Empty), (exit, error));
        Assert.Equal("ok: 3 entries verified through seq 3", output.TrimEnd());
    }

    [Fact]
    public async Task AuditVerify_EntryChangedInTheDatabase_PrintsTheFirstBadSeqAndExitsOne()
    {
        for (var i = 0; i < 3; i++)
        {
            await CheckAsync(ApprovalSidecar.Refund(100 + i));
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_sidecar.Directory, "gate.db")};Pooling=False"))
        {
            connection.Open();
            using var select = SqliteApprovalStore.Command(connection, "SELECT data FROM audit WHERE seq = 4;");
            var entry = AuditEvent.Parser.ParseFrom((byte[])select.ExecuteScalar()!);
            entry.Verdict = "DENY";
            using var update = SqliteApprovalStore.Command(connection, "UPDATE audit SET data = $data WHERE seq = 4;", ("$data", entry.ToByteArray()));
            update.ExecuteNonQuery();
        }

        var (exit, output, _) = await RunAsync("audit", "verify", "--server", _server);

        Assert.Equal(1, exit);
        var lines = Lines(output);
        Assert.Equal("NOT OK: first bad entry seq 4 (4 entries checked)", lines[0]);
        Assert.StartsWith("changed: entry seq 4", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_NothingListening_SaysWhichCallFailedAndExitsOne()
    {
        var (exit, output, error) = await RunAsync("audit", "verify", "--server", "http://127.0.0.1:9");

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.StartsWith("Audit.Verify at http://127.0.0.1:9 failed: Unavailable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_Jsonl_PagesThroughEveryEntryInSeqOrder_InTheHashedForm()
    {
        for (var i = 0; i < 4; i++)
        {
            await CheckAsync(ApprovalSidecar.Refund(100 + i));
        }

        var (exit, output, error) = await RunAsync("audit", "export", "--jsonl", "--page-size", "3", "--server", _server);

        Assert.Equal((0, string.Empty), (exit, error));
        var exported = Lines(output).Select(JsonParser.Default.Parse<AuditEvent>).ToList();
        var listed = await new AuditClient(_sidecar.Channel).ListEventsAsync(new ListEventsRequest { PageSize = 1000 }).WaitAsync(Wait);
        Assert.Equal(8, exported.Count);
        Assert.Equal(listed.Events, exported);
        Assert.All(exported, e => Assert.Equal(AuditChain.ComputeHash(e), e.Hash));
    }

    [Fact]
    public async Task AuditExport_WholeChain_PythonRecomputesEveryHashAndLink()
    {
        var pending = await CheckAsync(ApprovalSidecar.Refund(900));
        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = pending.ApprovalId, Verdict = DecisionVerdict.Reject, Reason = "naïve request — “no”" }).WaitAsync(Wait);
        await CheckAsync(ApprovalSidecar.Refund(100));
        var (exit, output, _) = await RunAsync("audit", "export", "--jsonl", "--server", _server);
        var file = Path.Combine(_sidecar.Directory, "export.jsonl");
        await File.WriteAllTextAsync(file, output);

        var (report, _) = await Evidence.PythonEvidenceScript.RunAsync("audit-hashes", "--input", file).WaitAsync(Wait);

        Assert.Equal(0, exit);
        Assert.Contains("naïve request — “no”", output, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(report);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean(), report);
        Assert.Equal(5, json.RootElement.GetProperty("entries").GetInt32());
    }

    [Fact]
    public async Task AuditExport_ApprovalAndTimeFilters_WriteOnlyMatchingEntries()
    {
        var first = await CheckAsync(ApprovalSidecar.Refund(100));
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var second = await CheckAsync(ApprovalSidecar.Refund(200));

        var byApproval = await RunAsync("audit", "export", "--jsonl", "--approval", first.ApprovalId, "--server", _server);
        var since = await RunAsync("audit", "export", "--since", between.ToString("O"), "--server", _server);
        var until = await RunAsync("audit", "export", "--until", between.ToString("O"), "--server", _server);

        Assert.Equal([first.ApprovalId, first.ApprovalId], Ids(byApproval.Output));
        Assert.Equal([second.ApprovalId, second.ApprovalId], Ids(since.Output));
        Assert.Equal([first.ApprovalId, first.ApprovalId], Ids(until.Output));
    }

    [Fact]
    public async Task AuditExport_BadTimeOrRange_SaysHowToWriteItAndExitsOne()
    {
        var badTime = await RunAsync("audit", "export", "--since", "yesterday", "--server", _server);
        var badRange = await RunAsync("audit", "export", "--since", "2026-11-21T10:00:00Z", "--until", "2026-11-21T09:00:00Z", "--server", _server);

        Assert.Equal(1, badTime.Exit);
        Assert.Contains("'yesterday' is not a time: use RFC 3339, e.g. 2026-11-21T10:00:00Z", badTime.Error, StringComparison.Ordinal);
        Assert.Equal(1, badRange.Exit);
        Assert.Contains("must be earlier than --until", badRange.Error, StringComparison.Ordinal);
    }

    private Task<CheckResponse> CheckAsync(CheckRequest request) => _sidecar.Gate.CheckAsync(request).WaitAsync(Wait);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Task.Run(() => GateCtlApp.Run(args, output, error)).WaitAsync(Wait);
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<string> Ids(string jsonl) => [.. Lines(jsonl).Select(l => JsonParser.Default.Parse<AuditEvent>(l).ApprovalId)];
}
