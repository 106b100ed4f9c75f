using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Gate.Client;
using Gate.V1;
using Google.Protobuf;

namespace GateCtl.Commands;

/// <summary>A refusal or failure of the sidecar's HTTP API, with the server's own message.</summary>
internal sealed class ApiCallException(int status, string code, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

/// <summary>
/// One approver command's connection: the gRPC <c>Approvals</c> client (<c>--server</c>), the HTTP API
/// for reading one approval (<c>--api</c>), the token from <c>GATE_TOKEN</c>, and how to report failures.
/// </summary>
internal sealed class ApproverSession : IDisposable
{
    public static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private readonly GateChannel _channel;
    private readonly HttpClient _http;

    private ApproverSession(GateChannel channel, HttpClient http, string token, TextWriter output, TextWriter error, bool json, TimeProvider time)
    {
        _channel = channel;
        _http = http;
        Approvals = new ApprovalsClient(channel, token);
        Output = output;
        Error = error;
        JsonOutput = json;
        Time = time;
    }

    public ApprovalsClient Approvals { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public bool JsonOutput { get; }

    public TimeProvider Time { get; }

    /// <summary>The session for <paramref name="parse"/>, or null after printing why there is none.</summary>
    public static ApproverSession? Open(ParseResult parse, ApproverOptions options, Func<string, string?> environment, TimeProvider time)
    {
        var error = parse.InvocationConfiguration.Error;
        var token = environment("GATE_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            error.WriteLine("error: GATE_TOKEN is not set: export your approver bearer token first, e.g. export GATE_TOKEN=alice-dev-token");
            return null;
        }

        var server = parse.GetValue(options.Server) ?? environment("GATE_SERVER") ?? ApproverOptions.DefaultServer;
        var api = parse.GetValue(options.Api) ?? environment("GATE_API") ?? ApproverOptions.DefaultApi;
        if (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttp && apiUri.Scheme != Uri.UriSchemeHttps))
        {
            error.WriteLine($"error: --api '{api}' is not an http(s) address such as {ApproverOptions.DefaultApi}");
            return null;
        }

        GateChannel channel;
        try
        {
            channel = GateChannel.ForAddress(server);
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"error: --server: {ex.Message}");
            return null;
        }

        var http = new HttpClient { BaseAddress = apiUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        return new ApproverSession(channel, http, token.Trim(), parse.InvocationConfiguration.Output, error, parse.GetValue(options.Json), time);
    }

    /// <summary>One approval as the approver may see it (redacted), through the HTTP API.</summary>
    public async Task<Approval> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"api/v1/approvals/{Uri.EscapeDataString(approvalId)}", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string code = string.Empty, detail = body;
            try
            {
                using var problem = JsonDocument.Parse(body);
                code = problem.RootElement.TryGetProperty("code", out var c) ? c.GetString() ?? string.Empty : string.Empty;
                detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? body : body;
            }
            catch (JsonException)
            {
            }

            throw new ApiCallException((int)response.StatusCode, code, detail);
        }

        return JsonParser.Default.Parse<Approval>(body);
    }

    /// <summary>Prints a failure with the server's message; returns the exit code 1.</summary>
    public int Fail(Exception exception)
    {
        var message = exception switch
        {
            RpcException rpc when rpc.Status == StatusCode.Unavailable => $"UNAVAILABLE: {rpc.Detail} (is the sidecar running at {_channel.Address}? set --server or GATE_SERVER)",
            RpcException rpc => $"{ApiName(rpc.Status)}: {rpc.Detail}",
            ApiCallException api => $"HTTP {api.Status}{(api.Code.Length > 0 ? " " + api.Code : string.Empty)}: {api.Message}",
            HttpRequestException http => $"cannot reach the HTTP API at {_http.BaseAddress}: {http.Message} (set --api or GATE_API)",
            TaskCanceledException => $"no answer from {_http.BaseAddress} in time",
            _ => exception.Message,
        };
        Error.WriteLine("error: " + message);
        return 1;
    }

    public void Dispose()
    {
        _http.Dispose();
        _channel.Dispose();
    }

    private static string ApiName(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
