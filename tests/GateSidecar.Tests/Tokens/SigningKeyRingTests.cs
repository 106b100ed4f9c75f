using System.Runtime.Versioning;
using System.Security.Cryptography;
using Gate.Client.Evidence;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Tokens;

[UnsupportedOSPlatform("windows")] // key files are checked for Unix permissions
public sealed class SigningKeyRingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gate-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadOrCreate_NoKeyYet_GeneratesPkcs8FileOwnerOnlyAndReloadsSameKid()
    {
        var path = Path.Combine(_dir, ".gate", "signing-key.pem");

        string firstKid;
        using (var first = SigningKeyRing.LoadOrCreate(keyPath: null, path))
        {
            Assert.True(first.Generated);
            firstKid = first.SigningKeyId;
        }

        using var second = SigningKeyRing.LoadOrCreate(keyPath: null, path);

        Assert.False(second.Generated);
        Assert.Equal(firstKid, second.SigningKeyId);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task LoadOrCreate_SeveralStartsAtOnce_AllEndWithOneKey()
    {
        // Many rounds: a start that finds the file just created (empty, or still held by its writer)
        // must wait for the key rather than fail or make its own.
        for (var round = 0; round < 60; round++)
        {
            var path = Path.Combine(_dir, $"race-{round}", "signing-key.pem");
            using var go = new Barrier(6);

            var kids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    go.SignalAndWait(TestContext.Current.CancellationToken);
                    using var ring = SigningKeyRing.LoadOrCreate(keyPath: null, path);
                    return ring.SigningKeyId;
                },
                TestContext.Current.CancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.Single(kids.Distinct());
            Assert.Equal(["signing-key.pem"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void KeyFileLink_PublishesOnlyUnderAFreeName_AndAlwaysRemovesTheWrittenFile()
    {
        var target = Path.Combine(_dir, "signing-key.pem");
        var first = Path.Combine(_dir, ".first.tmp");
        var second = Path.Combine(_dir, ".second.tmp");
        File.WriteAllText(first, "first");
        File.WriteAllText(second, "second");

        Assert.True(KeyFileLink.TryPublish(first, target));
        Assert.False(KeyFileLink.TryPublish(second, target));

        Assert.Equal("first", File.ReadAllText(target));
        Assert.Equal(["signing-key.pem"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        var missing = Assert.Throws<IOException>(() => KeyFileLink.TryPublish(Path.Combine(_dir, ".gone.tmp"), Path.Combine(_dir, "other.pem")));
        Assert.Contains("errno", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A file system without hard links answers link(2) with EPERM (Linux), EMLINK or EOPNOTSUPP, and
    /// a runtime that cannot reach "libc" throws: each reaches the move, to a free name and to a taken one.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(95)]
    [InlineData(-1)]
    public void KeyFileLink_WithoutHardLinks_FallsBackToTheMove(int errno)
    {
        var linkCalls = 0;
        int NoHardLinks(string written, string target)
        {
            linkCalls++;
            return errno >= 0 ? errno : throw new DllNotFoundException("libc");
        }

        var target = Path.Combine(_dir, "signing-key.pem");
        var first = Path.Combine(_dir, ".first.tmp");
        var second = Path.Combine(_dir, ".second.tmp");
        File.WriteAllText(first, "first");
        File.WriteAllText(second, "second");

        Assert.True(KeyFileLink.TryPublish(first, target, NoHardLinks));
        Assert.False(KeyFileLink.TryPublish(second, target, NoHardLinks));

        Assert.Equal(2, linkCalls);
        Assert.Equal("first", File.ReadAllText(target));
        Assert.Equal(["signing-key.pem"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void KeyFileLink_OtherLinkErrors_AreNotMistakenForMissingHardLinks()
    {
        var target = Path.Combine(_dir, "signing-key.pem");
        var written = Path.Combine(_dir, ".written.tmp");
        File.WriteAllText(written, "written");

        var failure = Assert.Throws<IOException>(() => KeyFileLink.TryPublish(written, target, (_, _) => 13)); // EACCES

        Assert.Contains("errno 13", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(written));
    }

    [Fact]
    public void KeyFileLink_PublishByMove_ToAFreeName_MovesTheWrittenFile()
    {
        var target = Path.Combine(_dir, "signing-key.pem");
        var written = Path.Combine(_dir, ".written.tmp");
        File.WriteAllText(written, "written");

        Assert.True(KeyFileLink.PublishByMove(written, target));

        Assert.Equal("written", File.ReadAllText(target));
        Assert.Equal(["signing-key.pem"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void KeyFileLink_PublishByMove_ToATakenName_KeepsItAndRemovesTheWrittenFile()
    {
        var target = Path.Combine(_dir, "signing-key.pem");
        var written = Path.Combine(_dir, ".written.tmp");
        File.WriteAllText(target, "original");
        File.WriteAllText(written, "written");

        Assert.False(KeyFileLink.PublishByMove(written, target));

        Assert.Equal("original", File.ReadAllText(target));
        Assert.Equal(["signing-key.pem"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task LoadOrCreate_DefaultFileHeldByItsWriter_WaitsForTheKey()
    {
        var path = Path.Combine(_dir, "held", "signing-key.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);

        var loading = Task.Run(() =>
        {
            using var ring = SigningKeyRing.LoadOrCreate(keyPath: null, path);
            return ring.SigningKeyId;
        }, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(loading.IsCompleted);
        using (var text = new StreamWriter(writer))
        {
            text.Write(key.ExportPkcs8PrivateKeyPem());
        }

        Assert.Equal(EcKeys.Thumbprint(key), await loading.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void LoadOrCreate_DefaultFileCorrupt_FailsAndKeepsIt()
    {
        var path = Write("corrupt-default.pem", "not a key\n");
        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(keyPath: null, path));

        Assert.Contains("holds no EC key in PEM form", error.Message, StringComparison.Ordinal);
        Assert.Equal("not a key\n", File.ReadAllText(path));
    }

    [Fact]
    public void LoadOrCreate_Pkcs8File_LoadsAndKidIsThumbprint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Write("pkcs8.pem", key.ExportPkcs8PrivateKeyPem());

        using var ring = SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem"));

        Assert.Equal(EcKeys.Thumbprint(key), ring.SigningKeyId);
        Assert.False(ring.Generated);
        Assert.False(File.Exists(Path.Combine(_dir, "unused.pem")));
    }

    [Fact]
    public void LoadOrCreate_Sec1File_Loads()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportECPrivateKeyPem();
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", pem, StringComparison.Ordinal);

        using var ring = SigningKeyRing.LoadOrCreate(Write("sec1.pem", pem), Path.Combine(_dir, "unused.pem"));

        Assert.Equal(EcKeys.Thumbprint(key), ring.SigningKeyId);
    }

    [Fact]
    public void LoadOrCreate_KeyOnP384_FailsNamingTheCurve()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var path = Write("p384.pem", key.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem")));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("P-256", error.Message, StringComparison.Ordinal);
        Assert.Contains("384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_RsaKey_FailsSayingWhatIsExpected()
    {
        using var rsa = RSA.Create(2048);
        var path = Write("rsa.pem", rsa.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem")));

        Assert.Contains("BEGIN PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_GivenPathMissing_FailsInsteadOfGenerating()
    {
        var missing = Path.Combine(_dir, "typo.pem");

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(missing, Path.Combine(_dir, "default.pem")));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
        Assert.False(File.Exists(Path.Combine(_dir, "default.pem")));
    }

    [Fact]
    public void LoadOrCreate_UnreadableFile_FailsNamingTheFile()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Write("locked.pem", key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(path, UnixFileMode.None);
        Assert.SkipWhen(Environment.UserName == "root", "root reads files whatever their mode");

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem")));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_FileReadableByOthers_Warns()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Write("open.pem", key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        using var ring = SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem"));

        Assert.Contains(ring.Warnings, w => w.Contains("chmod 600", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadOrCreate_SeveralFiles_FirstSignsAndPublicOnlyKeysArePublished()
    {
        using var current = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var previous = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var first = Write("current.pem", current.ExportPkcs8PrivateKeyPem());
        var second = Write("previous.pub.pem", previous.ExportSubjectPublicKeyInfoPem());

        using var ring = SigningKeyRing.LoadOrCreate([first, second], Path.Combine(_dir, "unused.pem"));

        Assert.Equal([EcKeys.Thumbprint(current), EcKeys.Thumbprint(previous)], ring.KeyIds);
        Assert.Equal(EcKeys.Thumbprint(current), ring.SigningKeyId);
    }

    [Fact]
    public void LoadOrCreate_PublicKeyFirst_FailsBecauseTheFirstSigns()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Write("public.pem", key.ExportSubjectPublicKeyInfoPem());

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem")));

        Assert.Contains("only a public key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_Directory_NewestPrivateKeySignsAllArePublished()
    {
        var keyDir = Directory.CreateDirectory(Path.Combine(_dir, "keys")).FullName;
        using var older = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var olderPath = Path.Combine(keyDir, "a-older.pem");
        var newerPath = Path.Combine(keyDir, "b-newer.pem");
        File.WriteAllText(olderPath, older.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(newerPath, newer.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(olderPath, DateTime.UtcNow.AddDays(-30));
        File.SetLastWriteTimeUtc(newerPath, DateTime.UtcNow.AddDays(-1));

        using var ring = SigningKeyRing.LoadOrCreate(keyDir, Path.Combine(_dir, "unused.pem"));

        Assert.Equal(EcKeys.Thumbprint(newer), ring.SigningKeyId);
        Assert.Equal(2, ring.KeyIds.Count);
        Assert.Contains(EcKeys.Thumbprint(older), ring.KeyIds);
    }

    [Fact]
    public void LoadOrCreate_EncryptedPem_FailsSayingToDecrypt()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", key.ExportEncryptedPkcs8PrivateKey("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));
        var path = Write("encrypted.pem", pem);

        var error = Assert.Throws<SigningKeyException>(() => SigningKeyRing.LoadOrCreate(path, Path.Combine(_dir, "unused.pem")));

        Assert.Contains("encrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FirstKeyPublicOnly_Throws()
    {
        var publicOnly = ECDsa.Create(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportParameters(false));

        Assert.Throws<ArgumentException>(() => new SigningKeyRing([publicOnly]));
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, pem);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
