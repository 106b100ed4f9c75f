using System.Text.Json;
using GateSidecar.Tests.Approvals.Functional;

namespace GateSidecar.Tests.Interop;

/// <summary>An agent and an approver written with stock Python grpcio drive the real sidecar.</summary>
public sealed class PythonGateFlowTests(PythonInteropFixture python) : IClassFixture<PythonInteropFixture>
{
    [Fact]
    public async Task PythonAgentAndApprover_CheckGuardDecide_BehaveAsTheContractSays()
    {
        await using var sidecar = await ApprovalSidecar.StartAsync();
        var target = sidecar.Channel.Address.Authority;
        var result = await PythonInteropFixture.RunAsync(PythonInteropFixture.Python,
            [PythonInteropFixture.Script("python_gate_flow.py"), "--target", target, "--gen", python.GeneratedDirectory, "--token", "alice-token"],
            TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"python_gate_flow.py failed ({result.ExitCode}):\n{result.StandardError}");
        var checks = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToDictionary(e => e.GetProperty("check").GetString()!);

        Assert.Equal("VERDICT_ALLOW", checks["auto"].GetProperty("verdict").GetString());
        Assert.Equal(3, checks["auto"].GetProperty("token_parts").GetInt32());
        Assert.Equal("APPROVAL_STATE_PENDING", checks["guard_first"].GetProperty("state").GetString());
        Assert.Equal("INVALID_ARGUMENT", checks["reject_without_reason"].GetProperty("code").GetString());
        Assert.Equal("UNAUTHENTICATED", checks["wrong_token"].GetProperty("code").GetString());
        Assert.Equal("APPROVAL_STATE_APPROVED", checks["approve"].GetProperty("state").GetString());
        Assert.Equal("***", checks["approve"].GetProperty("approver_sees_card").GetString());
        Assert.Equal(["APPROVAL_STATE_PENDING", "APPROVAL_STATE_APPROVED"], checks["guard_events"].GetProperty("states").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(3, checks["guard_events"].GetProperty("token_parts").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", checks["missing_call_id"].GetProperty("code").GetString());
        Assert.Contains("call_id is required", checks["missing_call_id"].GetProperty("details").GetString());
    }
}
