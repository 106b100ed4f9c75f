using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gate.Client;
using Gate.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateCtl.Commands.Audit;

/// <summary>
/// <c>gatectl audit export --jsonl [--approval ID] [--since T] [--until T] [--server URL]</c>: every
/// matching audit entry in seq order, one proto3 JSON object per line (the form its hash is computed
/// over, plus <c>hash</c>), paging through <c>Audit.ListEvents</c>.
/// </summary>
internal static class ExportCommand
{
    public const int DefaultPageSize = 500;

    public static Command Build()
    {
        var server = AuditCommands.ServerOption();
        var jsonl = new Option<bool>("--jsonl") { Description = "One proto3 JSON object per line (the only format, and the default)." };
        var approval = new Option<string?>("--approval") { Description = "Only the entries of this approval id." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Entries at or after this time (RFC 3339, e.g. 2026-11-21T10:00:00Z).", CustomParser = Time };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Entries before this time (RFC 3339).", CustomParser = Time };
        var pageSize = new Option<int>("--page-size") { Description = $"Entries per ListEvents call (default {DefaultPageSize}, at most 1000).", DefaultValueFactory = _ => DefaultPageSize };
        pageSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                result.AddError("--page-size must be between 1 and 1000");
            }
        });
        var command = new Command("export", "Write audit entries as JSON lines, in seq order.") { server, jsonl, approval, since, until, pageSize };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(since) is { } earliest && parse.GetValue(until) is { } latest && earliest >= latest)
            {
                parse.InvocationConfiguration.Error.WriteLine($"--since ({earliest:O}) must be earlier than --until ({latest:O})");
                return Task.FromResult(1);
            }

            var request = new ListEventsRequest
            {
                ApprovalId = parse.GetValue(approval) ?? string.Empty,
                Since = parse.GetValue(since) is { } from ? Timestamp.FromDateTimeOffset(from) : null,
                Until = parse.GetValue(until) is { } to ? Timestamp.FromDateTimeOffset(to) : null,
                PageSize = parse.GetValue(pageSize),
            };
            return RunAsync(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetRequiredValue(server), request, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, TextWriter error, string server, ListEventsRequest request, CancellationToken cancellationToken)
    {
        using var channel = AuditCommands.Connect(server, error);
        if (channel is null)
        {
            return 1;
        }

        var client = new AuditClient(channel);
        try
        {
            do
            {
                var page = await client.ListEventsAsync(request, AuditCommands.Call(cancellationToken)).ConfigureAwait(false);
                foreach (var entry in page.Events)
                {
                    output.WriteLine(Compact(JsonFormatter.Default.Format(entry)));
                }

                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);
        }
        catch (RpcException ex)
        {
            AuditCommands.WriteFailure(error, "Audit.ListEvents", server, ex);
            return 1;
        }

        return 0;
    }

    /// <summary>The printer's JSON without its spaces, members in the same order.</summary>
    private static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        // Relaxed escaping: the lines are data, never embedded in HTML; non-ASCII text stays readable.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static DateTimeOffset? Time(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        result.AddError($"'{text}' is not a time: use RFC 3339, e.g. 2026-11-21T10:00:00Z");
        return null;
    }
}
