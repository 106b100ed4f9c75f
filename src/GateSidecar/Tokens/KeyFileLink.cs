using System.Runtime.InteropServices;

namespace GateSidecar.Tokens;

/// <summary>
/// Publishes a fully written file under its final name only if that name is free, atomically:
/// <c>link(2)</c> on Unix (fails with <c>EEXIST</c>), a move without replace on Windows.
/// </summary>
internal static partial class KeyFileLink
{
    private const int EExist = 17; // Linux and macOS

    /// <summary>
    /// True when <paramref name="written"/> now also has the name <paramref name="target"/>; false
    /// when <paramref name="target"/> already existed. Either way <paramref name="written"/> is gone.
    /// </summary>
    /// <exception cref="IOException">The link failed for another reason (the message says which).</exception>
    public static bool TryPublish(string written, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(written, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                File.Delete(written);
                return false;
            }
        }

        var result = Link(written, target);
        var errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        File.Delete(written);
        if (result == 0)
        {
            return true;
        }

        if (errno == EExist)
        {
            return false;
        }

        throw new IOException($"link {written} to {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
