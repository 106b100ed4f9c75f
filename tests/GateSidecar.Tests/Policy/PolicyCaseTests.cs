using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyCaseTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in PolicyCaseFiles.Names)
        {
            foreach (var testCase in PolicyCaseFiles.Get(file).Suite.Cases)
            {
                data.Add(file, testCase.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_CaseFileEntry_MatchesExpectation(string file, string name)
    {
        var caseFile = PolicyCaseFiles.Get(file);
        var testCase = caseFile.Suite.Cases.Single(c => c.Name == name);

        var result = testCase.Run(caseFile.Policy);

        Assert.True(result.Passed, $"{file}:{testCase.Line} '{name}': {string.Join("; ", result.Mismatches)} (got {result.Actual})");
    }

    [Fact]
    public void CaseFiles_CoverEveryAreaWithAtLeastFortyCases()
    {
        var names = PolicyCaseFiles.Names.ToList();
        var total = names.Sum(n => PolicyCaseFiles.Get(n).Suite.Cases.Count);

        Assert.Equal(["any.yaml", "confidence.yaml", "defaults.yaml", "operators.yaml", "paths.yaml", "precedence.yaml", "redaction.yaml"], names);
        Assert.True(total >= 40, $"only {total} cases");
    }

    [Fact]
    public void Run_WrongExpectation_ReportsEveryMismatch()
    {
        var caseFile = PolicyCaseFiles.Get("precedence.yaml");
        var testCase = caseFile.Suite.Cases.Single(c => c.Name == "quorum beats single and auto");
        var wrong = testCase with
        {
            Expect = testCase.Expect with { Rule = "single-x-big", Tier = Gate.V1.RiskTier.Single, Verdict = Gate.V1.Verdict.Allow },
        };

        var result = wrong.Run(caseFile.Policy);

        Assert.False(result.Passed);
        Assert.Equal(
            ["expected tier single, got quorum", "expected rule single-x-big, got quorum-x-huge", "expected verdict ALLOW, got PENDING"],
            result.Mismatches);
        Assert.Equal("tier quorum, rule quorum-x-huge, verdict PENDING", result.Actual);
    }
}
