using System.Runtime.InteropServices;

namespace GateSidecar.Tokens;

/// <summary>
/// Publishes a fully written file under its final name only if that name is free, atomically:
/// <c>link(2)</c> on Unix (fails with <c>EEXIST</c>), a move without replace on Windows and on
/// file systems without hard links.
/// </summary>
internal static partial class KeyFileLink
{
    // errno values, the same on Linux and macOS except EOPNOTSUPP (95 on Linux).
    private const int EPerm = 1; // Linux: the file system does not support hard links
    private const int EExist = 17;
    private const int EMLink = 31;
    private const int EOpNotSupp = 95;

    /// <summary>
    /// True when <paramref name="written"/> now also has the name <paramref name="target"/>; false
    /// when <paramref name="target"/> already existed. Either way <paramref name="written"/> is gone.
    /// </summary>
    /// <exception cref="IOException">The link failed for another reason (the message says which).</exception>
    public static bool TryPublish(string written, string target) =>
        OperatingSystem.IsWindows() ? PublishByMove(written, target) : TryPublish(written, target, LinkWithErrno);

    /// <summary>
    /// <see cref="TryPublish(string, string)"/> on Unix with <paramref name="link"/> in place of
    /// <c>link(2)</c>: it returns 0 or the <c>errno</c> of the failure (tests give the errors of a
    /// file system without hard links, or throw as a runtime without "libc" would).
    /// </summary>
    internal static bool TryPublish(string written, string target, Func<string, string, int> link)
    {
        int errno;
        try
        {
            errno = link(written, target);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return PublishByMove(written, target); // a C library this runtime cannot reach by the name "libc"
        }

        if (errno is EPerm or EMLink or EOpNotSupp)
        {
            // A file system without hard links: the move checks for the name, then renames (a
            // narrow window in which two first starts could each publish a key; the last one wins).
            return PublishByMove(written, target);
        }

        File.Delete(written);
        if (errno == 0)
        {
            return true;
        }

        if (errno == EExist)
        {
            return false;
        }

        throw new IOException($"link {written} to {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    /// <summary>
    /// The fallback of <see cref="TryPublish(string, string)"/>: moves <paramref name="written"/> to <paramref name="target"/>
    /// without replacing it. True when moved; false when <paramref name="target"/> already existed (then
    /// <paramref name="written"/> is deleted). On a file system without hard links the move checks for the
    /// name, then renames: not atomic.
    /// </summary>
    internal static bool PublishByMove(string written, string target)
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

    private static int LinkWithErrno(string written, string target) =>
        Link(written, target) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
