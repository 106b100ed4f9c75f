using System.Security.Cryptography;

namespace GateSidecar.Tokens;

internal sealed partial class SigningKeyRing
{
    /// <summary>
    /// The sidecar's keys: from <paramref name="keyPath"/> (a PEM file, or a directory of <c>*.pem</c>
    /// files) when given, else from <paramref name="defaultPathWhenNone"/>, which is generated once
    /// (PKCS#8 PEM, mode 0600) when it does not exist yet and reused on every later start.
    /// </summary>
    /// <exception cref="SigningKeyException">A key is unreadable, not EC P-256, or cannot be written.</exception>
    public static SigningKeyRing LoadOrCreate(string? keyPath, string defaultPathWhenNone) =>
        LoadOrCreate(string.IsNullOrWhiteSpace(keyPath) ? [] : [keyPath], defaultPathWhenNone);

    /// <summary>
    /// As <see cref="LoadOrCreate(string?, string)"/> for several <c>--signing-key</c> values: the
    /// first signs, the others (private or public PEM) are published for verification only.
    /// </summary>
    public static SigningKeyRing LoadOrCreate(IReadOnlyList<string> keyPaths, string defaultPathWhenNone)
    {
        ArgumentNullException.ThrowIfNull(keyPaths);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultPathWhenNone);
        if (keyPaths.Count > 0)
        {
            return Load(keyPaths);
        }

        if (File.Exists(defaultPathWhenNone))
        {
            // This build publishes the file complete (SigningKeyFile.CreateAndPersist); an earlier build
            // starting beside this one creates it empty and then writes it, so wait for that writer.
            return Load([defaultPathWhenNone], waitForWriter: true);
        }

        var created = SigningKeyFile.CreateAndPersist(defaultPathWhenNone);
        return new SigningKeyRing([created]) { Sources = [defaultPathWhenNone], Generated = true };
    }

    /// <summary>Loads existing keys only; a path that does not exist is an error, never a new key.</summary>
    public static SigningKeyRing Load(IReadOnlyList<string> keyPaths) => Load(keyPaths, waitForWriter: false);

    private static SigningKeyRing Load(IReadOnlyList<string> keyPaths, bool waitForWriter)
    {
        var files = new List<string>();
        foreach (var path in keyPaths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(KeyDirectory.Files(path));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new SigningKeyException($"The signing key {path} does not exist; give an existing PEM file or directory, or omit --signing-key to have one generated.");
            }
        }

        var keys = new List<ECDsa>(files.Count);
        var warnings = new List<string>();
        try
        {
            foreach (var file in files)
            {
                keys.Add(SigningKeyFile.Load(file, allowPublicOnly: keys.Count > 0, waitForWriter));
                if (keys.Count == 1 && SigningKeyFile.PermissionWarning(file) is { } warning)
                {
                    warnings.Add(warning);
                }
            }

            return new SigningKeyRing(keys) { Sources = files, Warnings = warnings };
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }
    }
}
