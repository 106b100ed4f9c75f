namespace GateSidecar.Tokens;

/// <summary>A directory of PEM keys: the newest key file holding a private key signs, all are published.</summary>
internal static class KeyDirectory
{
    public static List<string> Files(string directory)
    {
        var files = new List<FileInfo>(new DirectoryInfo(directory).GetFiles("*.pem"));
        if (files.Count == 0)
        {
            throw new SigningKeyException($"The signing key directory {directory} holds no *.pem file.");
        }

        // Newest first; the name breaks ties so the order is stable.
        files.Sort(static (a, b) =>
        {
            var byTime = b.LastWriteTimeUtc.CompareTo(a.LastWriteTimeUtc);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
        });

        var signer = files.FindIndex(static f => HoldsPrivateKey(f.FullName));
        if (signer < 0)
        {
            throw new SigningKeyException($"The signing key directory {directory} holds only public keys; add the private key that signs (PKCS#8 or SEC1 PEM).");
        }

        var ordered = new List<string>(files.Count) { files[signer].FullName };
        for (var i = 0; i < files.Count; i++)
        {
            if (i != signer)
            {
                ordered.Add(files[i].FullName);
            }
        }

        return ordered;
    }

    private static bool HoldsPrivateKey(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SigningKeyException($"Cannot read the signing key file {path}: {e.Message}", e);
        }
    }
}
