namespace GateSidecar.Tests.Infrastructure;

/// <summary>Locations inside the repository checkout the tests run from.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The directory holding Approvals.sln.</summary>
    public static string Root => RootPath.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Approvals.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Approvals.sln above {AppContext.BaseDirectory}: run the tests from the repository checkout");
    }
}
