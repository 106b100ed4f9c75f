using System.Globalization;
using System.Text;
using GateSidecar.Policy.Loading;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Approvers.Notifications;

/// <summary>
/// Reads the notifications file (<c>--notifications FILE</c>); every problem is reported at once, each
/// naming the file, the place and what to write instead. The format is described in docs/webhooks.md.
/// </summary>
internal static class NotificationSettingsLoader
{
    private static readonly string[] TopKeys = ["pools", "delivery"];
    private static readonly string[] TargetKeys = ["url", "format", "secret", "secret_env"];
    private static readonly string[] DeliveryKeys = ["attempts", "initial_backoff", "max_backoff", "timeout", "queue", "concurrency"];

    public static (NotificationSettings? Settings, IReadOnlyList<string> Errors) Load(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, [$"notifications file '{path}': cannot be read: {ex.Message}"]);
        }

        return Parse(text, path, environment ?? Environment.GetEnvironmentVariable);
    }

    public static (NotificationSettings? Settings, IReadOnlyList<string> Errors) Parse(string text, string path, Func<string, string?> environment)
    {
        var errors = new List<string>();
        void Error(YamlNode? node, string message) =>
            errors.Add(node is null ? $"notifications file '{path}': {message}" : $"notifications file '{path}', line {node.Start.Line}: {message}");

        YamlMappingNode root;
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode map)
            {
                return (null, [$"notifications file '{path}': expected a mapping with 'pools:' (and optionally 'delivery:')"]);
            }

            root = map;
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return (null, [$"notifications file '{path}': line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"]);
        }

        CheckKeys(root, TopKeys, "the top level", Error);
        var pools = new Dictionary<string, IReadOnlyList<NotificationTarget>>(StringComparer.Ordinal);
        if (Child(root, "pools") is not YamlMappingNode poolsNode)
        {
            Error(root, "'pools:' is required: a mapping of pool name to a list of {url, format, secret}");
        }
        else
        {
            foreach (var (key, value) in poolsNode.Children)
            {
                var pool = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (value is not YamlSequenceNode list)
                {
                    Error(value, $"pool '{pool}': expected a list of receivers, e.g. '- url: https://hooks.example.com/gate'");
                    continue;
                }

                var targets = new List<NotificationTarget>();
                var index = 0;
                foreach (var item in list)
                {
                    index++;
                    if (ParseTarget(item, $"pool '{pool}', receiver {index}", environment, Error) is { } target)
                    {
                        targets.Add(target);
                    }
                }

                pools[pool] = targets;
            }
        }

        var delivery = new DeliverySettings();
        if (Child(root, "delivery") is { } deliveryNode)
        {
            delivery = ParseDelivery(deliveryNode, Error);
        }

        return errors.Count > 0 ? (null, errors) : (new NotificationSettings(pools, delivery), errors);
    }

    private static NotificationTarget? ParseTarget(YamlNode node, string where, Func<string, string?> environment, Action<YamlNode?, string> error)
    {
        if (node is not YamlMappingNode map)
        {
            error(node, $"{where}: expected a mapping with url, format (json or slack) and an optional secret");
            return null;
        }

        CheckKeys(map, TargetKeys, where, error);
        var ok = true;
        var urlText = Scalar(map, "url");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            error(map, $"{where}: 'url' must be an absolute http or https address (got '{urlText}')");
            ok = false;
        }

        var format = NotificationFormat.Json;
        switch (Scalar(map, "format"))
        {
            case null or "json":
                break;
            case "slack":
                format = NotificationFormat.Slack;
                break;
            case var other:
                error(map, $"{where}: format '{other}' is unknown; use json or slack");
                ok = false;
                break;
        }

        byte[]? secret = null;
        var literal = Scalar(map, "secret");
        var fromEnv = Scalar(map, "secret_env");
        if (literal is not null && fromEnv is not null)
        {
            error(map, $"{where}: give either 'secret' or 'secret_env', not both");
            ok = false;
        }
        else if (fromEnv is not null)
        {
            var value = environment(fromEnv);
            if (string.IsNullOrEmpty(value))
            {
                error(map, $"{where}: secret_env names '{fromEnv}', which is not set in the environment");
                ok = false;
            }
            else
            {
                secret = Encoding.UTF8.GetBytes(value);
            }
        }
        else if (literal is not null)
        {
            if (literal.Length == 0)
            {
                error(map, $"{where}: 'secret' is empty; remove it or give the shared secret");
                ok = false;
            }

            secret = Encoding.UTF8.GetBytes(literal);
        }

        return ok ? new NotificationTarget(url!, format, secret) : null;
    }

    private static DeliverySettings ParseDelivery(YamlNode node, Action<YamlNode?, string> error)
    {
        var settings = new DeliverySettings();
        if (node is not YamlMappingNode map)
        {
            error(node, "'delivery:' must be a mapping of " + string.Join(", ", DeliveryKeys));
            return settings;
        }

        CheckKeys(map, DeliveryKeys, "delivery", error);
        settings = settings with
        {
            Attempts = Int(map, "attempts", 1, 20, settings.Attempts, error),
            InitialBackoff = Duration(map, "initial_backoff", settings.InitialBackoff, error),
            MaxBackoff = Duration(map, "max_backoff", settings.MaxBackoff, error),
            Timeout = Duration(map, "timeout", settings.Timeout, error),
            QueueCapacity = Int(map, "queue", 1, 1_000_000, settings.QueueCapacity, error),
            Concurrency = Int(map, "concurrency", 1, 64, settings.Concurrency, error),
        };
        if (settings.MaxBackoff < settings.InitialBackoff)
        {
            error(map, $"delivery: max_backoff ({settings.MaxBackoff}) is shorter than initial_backoff ({settings.InitialBackoff})");
        }

        return settings;
    }

    private static int Int(YamlMappingNode map, string key, int min, int max, int fallback, Action<YamlNode?, string> error)
    {
        var text = Scalar(map, key);
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        error(map, $"delivery: '{key}' must be a whole number from {min} to {max} (got '{text}')");
        return fallback;
    }

    private static TimeSpan Duration(YamlMappingNode map, string key, TimeSpan fallback, Action<YamlNode?, string> error)
    {
        var text = Scalar(map, key);
        if (text is null)
        {
            return fallback;
        }

        if (PolicyDuration.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        error(map, $"delivery: '{key}' must be a positive duration such as 500ms, 2s or 1m (got '{text}')");
        return fallback;
    }

    private static void CheckKeys(YamlMappingNode map, string[] allowed, string where, Action<YamlNode?, string> error)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name is null || Array.IndexOf(allowed, name) < 0)
            {
                error(key, $"{where}: unknown key '{name}' (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;
}
