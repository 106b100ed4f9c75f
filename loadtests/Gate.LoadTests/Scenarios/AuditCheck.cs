using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>After a run: the audit hash chain re-verifies and holds at least the entries the run wrote.</summary>
internal static class AuditCheck
{
    public static async Task AddAsync(ScenarioReport report, Sidecar sidecar, long minEntries)
    {
        const string name = "audit chain verifies and holds every entry";
        try
        {
            var result = await sidecar.Audit.VerifyAsync(new VerifyRequest(), CallOptions.WithTimeout(TimeSpan.FromMinutes(10))).ConfigureAwait(false);
            var detail = $"Verify: ok={result.Ok}, {result.EntriesChecked} entries checked, at least {minEntries} expected"
                + (result.Ok ? string.Empty : $", first bad seq {result.FirstBadSeq}: {result.Detail}");
            report.Check(name, result.Ok && result.EntriesChecked >= minEntries, detail);
        }
        catch (RpcException ex)
        {
            report.Check(name, false, "Audit.Verify failed: " + ex.Message);
        }
    }
}
