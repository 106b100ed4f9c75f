using System.Security.Cryptography;
using Gate.Client.Evidence;

namespace GateSidecar.Tokens;

/// <summary>Reads and writes EC P-256 keys as PEM files.</summary>
internal static class SigningKeyFile
{
    private const string GenerateHint = "create one with: openssl ecparam -name prime256v1 -genkey -noout -out signing-key.pem";

    /// <summary>Loads a PKCS#8 or SEC1 private key, or (when <paramref name="allowPublicOnly"/>) an SPKI public key.</summary>
    /// <param name="waitForWriter">
    /// The file may be one another sidecar is creating at this moment (the generated default key):
    /// while it is still empty or held by its writer, wait briefly (up to 5 s) and read again. Any
    /// other failure, a corrupt or foreign file included, is reported at once.
    /// </param>
    public static ECDsa Load(string path, bool allowPublicOnly, bool waitForWriter = false)
    {
        var giveUpAt = Environment.TickCount64 + 5_000;
        while (true)
        {
            var wait = waitForWriter && Environment.TickCount64 < giveUpAt;
            string pem;
            try
            {
                pem = File.ReadAllText(path);
            }
            catch (IOException) when (wait)
            {
                Thread.Sleep(10); // held by its writer (FileShare.None)
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SigningKeyException($"Cannot read the signing key file {path}: {e.Message}", e);
            }

            if (pem.Length == 0 && wait)
            {
                Thread.Sleep(10); // created, not written yet
                continue;
            }

            return Parse(path, pem, allowPublicOnly);
        }
    }

    private static ECDsa Parse(string path, string pem, bool allowPublicOnly)
    {
        if (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new SigningKeyException($"The signing key in {path} is encrypted; store it decrypted with mode 0600 (openssl pkcs8 -in {path} -nocrypt -out key.pem).");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SigningKeyException(
                $"{path} holds no EC key in PEM form: expected \"-----BEGIN PRIVATE KEY-----\" (PKCS#8) or \"-----BEGIN EC PRIVATE KEY-----\" (SEC1) on curve P-256 ({e.Message}); {GenerateHint}",
                e);
        }

        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (!EcKeys.IsP256(parameters.Curve))
        {
            key.Dispose();
            throw new SigningKeyException($"The key in {path} is on curve {EcKeys.Describe(parameters.Curve)}; Gate signs with ES256, which needs P-256 (prime256v1); {GenerateHint}");
        }

        if (!allowPublicOnly && !HasPrivateKey(key))
        {
            key.Dispose();
            throw new SigningKeyException($"{path} holds only a public key; the signing key needs the private key (PKCS#8 or SEC1 PEM).");
        }

        return key;
    }

    public static bool HasPrivateKey(ECDsa key)
    {
        try
        {
            return key.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Generates a P-256 key and writes it as PKCS#8 PEM readable by the owner only.</summary>
    /// <returns>The new key, or the key another process wrote to <paramref name="path"/> first.</returns>
    /// <remarks>
    /// The key is written whole to a file of its own in the same directory, flushed to disk, and then
    /// linked to <paramref name="path"/> with <c>link(2)</c>, which fails when the name exists: of
    /// several sidecars starting at once exactly one publishes its key, the others load it, and none
    /// ever sees the file empty or half written. (Creating <paramref name="path"/> itself exclusively
    /// left a window: a reader that opened the new, empty file before its creator took its lock made
    /// the creator's lock fail, and the creator then waited for a key nobody was writing. A temporary
    /// file moved without overwrite is not enough either: .NET checks for the target and then renames.)
    /// </remarks>
    public static ECDsa CreateAndPersist(string path)
    {
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            CreateDirectory(directory);
            using (var stream = new FileStream(temporary, OwnerOnly()))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(key.ExportPkcs8PrivateKeyPem());
                writer.Write('\n');
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (KeyFileLink.TryPublish(temporary, target))
            {
                return key;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            key.Dispose();
            TryDelete(temporary);
            throw new SigningKeyException($"Cannot write a new signing key to {path}: {e.Message}. Make the directory writable or pass --signing-key FILE.", e);
        }

        // Another sidecar published its key first: use that one.
        key.Dispose();
        return Load(target, allowPublicOnly: false, waitForWriter: true);
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file is harmless (its name starts with a dot).
        }
    }

    /// <summary>A warning when a key file can be read by other users, else <see langword="null"/>.</summary>
    public static string? PermissionWarning(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        return (mode & others) == 0
            ? null
            : $"The signing key {path} can be read by other users (mode {Convert.ToString((int)mode, 8)}); run: chmod 600 {path}";
    }

    private static FileStreamOptions OwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
