using System.CommandLine;
using System.Text.Json;
using Gate.V1;
using GateCtl.Commands;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Approvers.GateCtl;

/// <summary><c>gatectl</c>'s approver commands, run in-process against the whole sidecar.</summary>
public sealed class ApproverCommandsTests : IAsyncLifetime
{
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    private async Task<(int Exit, string Output, string Error)> RunAsync(string? token, params string[] args)
    {
        var environment = new Dictionary<string, string>();
        if (token is not null)
        {
            environment["GATE_TOKEN"] = token;
        }

        var root = new RootCommand("gatectl");
        foreach (var command in ApproverCommands.Build(name => environment.GetValueOrDefault(name)))
        {
            root.Subcommands.Add(command);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        string[] full = [.. args, "--server", _sidecar.GrpcAddress.ToString().TrimEnd('/'), "--api", _sidecar.HttpAddress.ToString()];
        var exit = await Task.Run(() => root.Parse(full).InvokeAsync(new InvocationConfiguration { Output = output, Error = error })).WaitAsync(TimeSpan.FromSeconds(30));
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<Approval> AgentViewAsync(string id) =>
        await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default);

    [Fact]
    public async Task Pending_ListsTheApproversPoolsAsATable()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (exit, output, error) = await RunAsync("alice-token", "pending");
        Assert.True(exit == 0, error);
        Assert.Contains(id, output);
        Assert.Contains("payments.refund", output);
        Assert.Contains("0 of 1", output);
        Assert.Contains("1 pending", output);

        var (_, carol, _) = await RunAsync("carol-token", "pending");
        Assert.Contains("nothing pending", carol);
    }

    [Fact]
    public async Task Pending_Json_IsTheProto3MappingForScripts()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (exit, output, error) = await RunAsync("bob-token", "pending", "--pool", "finance", "--json");
        Assert.True(exit == 0, error);
        var approval = Assert.Single(JsonDocument.Parse(output).RootElement.GetProperty("approvals").EnumerateArray());
        Assert.Equal(id, approval.GetProperty("approvalId").GetString());
        Assert.Equal("***", approval.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());

        var (refused, _, message) = await RunAsync("bob-token", "pending", "--pool", "execs");
        Assert.Equal(1, refused);
        Assert.Contains("PERMISSION_DENIED: approver 'bob' is not a member of pool 'execs'", message);
    }

    [Fact]
    public async Task Show_PrintsTheRedactedCard()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (exit, output, error) = await RunAsync("erin-token", "show", id);
        Assert.True(exit == 0, error);
        Assert.Contains("large-refund", output);
        Assert.Contains("\"card_number\": \"***\"", output);
        Assert.DoesNotContain("4111111111111111", output);
        Assert.Contains("My order arrived broken", output);
        Assert.Contains("Offer a voucher (not taken: the customer asked for money back)", output);

        var (missing, _, message) = await RunAsync("erin-token", "show", "0123456789abcdef0123456789abcdef");
        Assert.Equal(1, missing);
        Assert.Contains("HTTP 404 NOT_FOUND: approval '0123456789abcdef0123456789abcdef' does not exist", message);
    }

    [Fact]
    public async Task Approve_ThenALateReject_ShowsTheServersRefusal()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (exit, output, error) = await RunAsync("alice-token", "approve", id);
        Assert.True(exit == 0, error);
        Assert.Contains($"approved {id}: now APPROVED", output);

        var (late, _, message) = await RunAsync("bob-token", "reject", id, "--reason", "too late");
        Assert.Equal(1, late);
        Assert.Contains("error: FAILED_PRECONDITION: approval", message);
        Assert.Contains("is APPROVED, a final state", message);
    }

    [Fact]
    public async Task Reject_NeedsAReason()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (missing, _, usage) = await RunAsync("bob-token", "reject", id);
        Assert.NotEqual(0, missing);
        Assert.Contains("--reason", usage);
        Assert.Equal(ApprovalState.Pending, (await AgentViewAsync(id)).State);

        var (exit, output, error) = await RunAsync("bob-token", "reject", id, "--reason", "customer already refunded");
        Assert.True(exit == 0, error);
        Assert.Contains("now REJECTED", output);
        Assert.Equal("customer already refunded", Assert.Single((await AgentViewAsync(id)).Decisions).Reason);
    }

    [Fact]
    public async Task Escalate_MovesTheCallToTheNextPool()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (exit, output, error) = await RunAsync("erin-token", "escalate", id, "--reason", "needs a lead");
        Assert.True(exit == 0, error);
        Assert.Contains("now ESCALATED (0 of 1 approvals, pool finance-leads)", output);
    }

    [Fact]
    public async Task Edit_ApprovesTheArgumentsFromTheFile()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var file = Path.Combine(_sidecar.Directory, "edit.json");
        await File.WriteAllTextAsync(file, """{"amount": 700, "customer_id": "c-42", "card_number": "***"}""").WithTimeout();
        var (exit, output, error) = await RunAsync("alice-token", "edit", id, "--args", file, "--reason", "partial");
        Assert.True(exit == 0, error);
        Assert.Contains("edited and approved", output);
        var after = await AgentViewAsync(id);
        Assert.Equal((700.0, "4111111111111111"), (after.FinalArguments.Fields["amount"].NumberValue, after.FinalArguments.Fields["card_number"].StringValue));

        await File.WriteAllTextAsync(file, "{ not json").WithTimeout();
        var (bad, _, message) = await RunAsync("alice-token", "edit", id, "--args", file);
        Assert.Equal(1, bad);
        Assert.Contains("not a readable JSON object", message);
    }

    [Fact]
    public async Task Refusals_ExplainWhatIsWrong()
    {
        var own = await _sidecar.PendingAsync(ApproverSidecar.Refund(900, onBehalfOf: "alice"));
        var (self, _, selfMessage) = await RunAsync("alice-token", "approve", own);
        Assert.Equal(1, self);
        Assert.Contains("PERMISSION_DENIED", selfMessage);
        Assert.Contains("self-approval", selfMessage);

        var (noToken, _, tokenMessage) = await RunAsync(null, "pending");
        Assert.Equal(1, noToken);
        Assert.Contains("GATE_TOKEN is not set", tokenMessage);

        var (unknown, _, unknownMessage) = await RunAsync("nobody-token", "pending");
        Assert.Equal(1, unknown);
        Assert.Contains("UNAUTHENTICATED: unknown bearer token", unknownMessage);
    }

    [Fact]
    public async Task Watch_PrintsEachChangeUntilTheCallIsDecided()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(20_000));
        var watch = RunAsync("erin-token", "watch", id, "--interval", "00:00:00.05");
        await Task.Delay(300);
        await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WithTimeout();
        await Task.Delay(300);
        await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WithTimeout();

        var (exit, output, error) = await watch;
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PENDING seq 1, pool finance, 0 of 2 approvals", lines[0]);
        Assert.Contains(lines, l => l.Contains("PENDING seq 2, pool finance, 1 of 2 approvals; last decision: alice APPROVE", StringComparison.Ordinal));
        Assert.Contains("APPROVED seq 3", lines[^1]);
    }
}
