using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GateSidecar.Hosting;

/// <summary>A TLS file that cannot be used, with a message naming the flag and the problem.</summary>
internal sealed class GateTlsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server certificate and, when client certificates are required, the CAs that issue them.</summary>
internal sealed class GateTlsMaterial : IDisposable
{
    private GateTlsMaterial(X509Certificate2 certificate, X509Certificate2Collection? clientCa)
    {
        Certificate = certificate;
        ClientCa = clientCa;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Null unless <c>--tls-client-ca</c> was given.</summary>
    public X509Certificate2Collection? ClientCa { get; }

    public static GateTlsMaterial Load(GateOptions options)
    {
        if (options.TlsCertPath is null || options.TlsKeyPath is null)
        {
            throw new GateTlsException("TLS needs both --tls-cert FILE and --tls-key FILE");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(options.TlsCertPath, options.TlsKeyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
        {
            throw new GateTlsException($"--tls-cert {options.TlsCertPath} / --tls-key {options.TlsKeyPath}: cannot load a certificate and its private key from these PEM files ({ex.Message})", ex);
        }

        if (options.TlsClientCaPath is null)
        {
            return new GateTlsMaterial(certificate, null);
        }

        var clientCa = new X509Certificate2Collection();
        try
        {
            clientCa.ImportFromPemFile(options.TlsClientCaPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            certificate.Dispose();
            throw new GateTlsException($"--tls-client-ca {options.TlsClientCaPath}: cannot read PEM certificates ({ex.Message})", ex);
        }

        if (clientCa.Count == 0)
        {
            certificate.Dispose();
            throw new GateTlsException($"--tls-client-ca {options.TlsClientCaPath}: the file holds no PEM certificate");
        }

        return new GateTlsMaterial(certificate, clientCa);
    }

    /// <summary>Accepts a client certificate only when it chains to one of <see cref="ClientCa"/>.</summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate, X509Chain? _, SslPolicyErrors errors)
    {
        if (ClientCa is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        if (ClientCa is not null)
        {
            foreach (var ca in ClientCa)
            {
                ca.Dispose();
            }
        }
    }
}
