using System.Runtime.InteropServices;

namespace Gate.LoadTests.Infrastructure;

/// <summary>SIGTERM for child processes, so they shut down the way an orchestrator stops them.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    /// <summary>True when the signal was delivered.</summary>
    public static bool Terminate(int processId) => OperatingSystem.IsLinux() && kill(processId, SigTerm) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
