using System.Security.Cryptography;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Approvers;

/// <summary>A configured approver. Only the SHA-256 of their bearer token is known.</summary>
internal sealed record Approver(string Id, string Name);

/// <summary>
/// The approvers file (SPEC §4): ids, names and token hashes. Authenticates bearer tokens by hashing
/// them and comparing against every stored hash in constant time.
/// </summary>
internal sealed class ApproverDirectory
{
    private readonly Entry[] _entries;

    private ApproverDirectory(Entry[] entries) => _entries = entries;

    public IEnumerable<Approver> All => _entries.Select(e => e.Approver);

    public static ApproverDirectory Empty { get; } = new([]);

    public bool Exists(string id) => _entries.Any(e => e.Approver.Id == id);

    public Approver? Find(string id) => _entries.FirstOrDefault(e => e.Approver.Id == id)?.Approver;

    /// <summary>The approver holding <paramref name="authorization"/> (<c>Bearer &lt;token&gt;</c>), or null.</summary>
    public Approver? Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization.AsSpan(7).Trim();
        if (token.IsEmpty)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(token.ToString());
        SHA256.HashData(bytes, digest);
        Approver? match = null;
        foreach (var entry in _entries)
        {
            // Compare against every entry so timing does not reveal which (if any) matched.
            if (CryptographicOperations.FixedTimeEquals(digest, entry.Hash))
            {
                match = entry.Approver;
            }
        }

        return match;
    }

    /// <summary>Loads and validates the file; every problem is reported at once.</summary>
    public static (ApproverDirectory? Directory, IReadOnlyList<string> Errors) Load(string path)
    {
        var errors = new List<string>();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, [$"approvers file '{path}': cannot be read: {ex.Message}"]);
        }

        var entries = new List<Entry>();
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
                || !root.Children.TryGetValue(new YamlScalarNode("approvers"), out var listNode) || listNode is not YamlSequenceNode list)
            {
                return (null, [$"approvers file '{path}': expected a top-level 'approvers:' list"]);
            }

            var index = 0;
            foreach (var node in list)
            {
                index++;
                if (node is not YamlMappingNode map)
                {
                    errors.Add($"approvers file '{path}': entry {index}: expected a mapping with id, name, token_sha256");
                    continue;
                }

                string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
                foreach (var key in map.Children.Keys)
                {
                    var k = (key as YamlScalarNode)?.Value;
                    if (k is not ("id" or "name" or "token_sha256"))
                    {
                        errors.Add($"approvers file '{path}': entry {index}: unknown key '{k}' (allowed: id, name, token_sha256)");
                    }
                }

                var id = Get("id");
                var hash = Get("token_sha256");
                if (string.IsNullOrWhiteSpace(id))
                {
                    errors.Add($"approvers file '{path}': entry {index}: 'id' is required");
                    continue;
                }

                if (entries.Any(e => e.Approver.Id == id))
                {
                    errors.Add($"approvers file '{path}': approver '{id}': duplicate id");
                }

                if (hash is null || hash.Length != 64 || !hash.All(Uri.IsHexDigit))
                {
                    errors.Add($"approvers file '{path}': approver '{id}': 'token_sha256' must be 64 hex characters (sha256 of the bearer token, e.g. `printf %s TOKEN | sha256sum`)");
                    continue;
                }

                entries.Add(new Entry(new Approver(id, Get("name") ?? id), Convert.FromHexString(hash)));
            }
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return (null, [$"approvers file '{path}': line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"]);
        }

        return errors.Count > 0 ? (null, errors) : (new ApproverDirectory([.. entries]), errors);
    }

    private sealed record Entry(Approver Approver, byte[] Hash);
}
