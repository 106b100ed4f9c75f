namespace GateSidecar.Tests.Policy;

/// <summary>Finds the repository root (the folder holding <c>Approvals.sln</c>) from the test output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Approvals.sln above {AppContext.BaseDirectory}");
    }
}
