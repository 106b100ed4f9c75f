using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gate.Client;
using GateSidecar.Tests.Infrastructure;
using Grpc.Health.V1;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Tests.Hosting;

public sealed class TlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gate-tls-").FullName;
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _client;

    public TlsTests()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Gate Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));

        var server = Issue("CN=localhost", serverAuth: true);
        File.WriteAllText(CertPath, server.ExportCertificatePem());
        File.WriteAllText(KeyPath, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
        _client = Issue("CN=agent-runtime", serverAuth: false);
    }

    private string CertPath => Path.Combine(_directory, "server.pem");

    private string KeyPath => Path.Combine(_directory, "server.key");

    private string CaPath => Path.Combine(_directory, "ca.pem");

    [Fact]
    public async Task TlsCert_GrpcPortSpeaksHttp2OverTls()
    {
        await using var server = await GateTestServer.StartAsync(o => o.Options = o.Options with { TlsCertPath = CertPath, TlsKeyPath = KeyPath });
        var channel = server.CreateChannel(TrustingTestCa());

        var response = await new HealthClient(channel).CheckAsync(new HealthCheckRequest()).WithTimeout();

        Assert.Equal("https", server.GrpcAddress.Scheme);
        Assert.Equal("https", server.HttpAddress.Scheme);
        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task TlsClientCa_CallWithoutClientCertificate_IsRefused_WithOne_IsServed()
    {
        await using var server = await GateTestServer.StartAsync(o => o.Options = o.Options with { TlsCertPath = CertPath, TlsKeyPath = KeyPath, TlsClientCaPath = CaPath });
        var anonymous = server.CreateChannel(TrustingTestCa());
        var options = TrustingTestCa();
        var configure = options.ConfigureHandler!;
        options.ConfigureHandler = handler =>
        {
            configure(handler);
            handler.SslOptions.ClientCertificates = [_client];
        };
        var authenticated = server.CreateChannel(options);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(anonymous).CheckAsync(new HealthCheckRequest()).WithTimeout());
        var served = await new HealthClient(authenticated).CheckAsync(new HealthCheckRequest()).WithTimeout();

        Assert.Equal(StatusCode.Unavailable, refused.Status);
        Assert.Equal(ServingStatus.Serving, served.Status);
    }

    [Fact]
    public async Task TlsClientCa_CertificateFromAnotherCa_IsRefused()
    {
        await using var server = await GateTestServer.StartAsync(o => o.Options = o.Options with { TlsCertPath = CertPath, TlsKeyPath = KeyPath, TlsClientCaPath = CaPath });
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var strangerRequest = new CertificateRequest("CN=stranger", strangerKey, HashAlgorithmName.SHA256);
        strangerRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var stranger = strangerRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var options = TrustingTestCa();
        var configure = options.ConfigureHandler!;
        options.ConfigureHandler = handler =>
        {
            configure(handler);
            handler.SslOptions.ClientCertificates = [stranger];
        };

        var refused = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(server.CreateChannel(options)).CheckAsync(new HealthCheckRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, refused.Status);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private GateChannelOptions TrustingTestCa() => new()
    {
        ConfigureHandler = handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && chain.Build(new X509Certificate2(certificate));
        },
    };

    private X509Certificate2 Issue(string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
