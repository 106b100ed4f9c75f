using System.Threading.Channels;
using GateSidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Tests.Approvers.Notifications;

/// <summary>A request a receiver got.</summary>
internal sealed record ReceivedWebhook(int Attempt, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A local HTTP receiver of notifications on real Kestrel (127.0.0.1, port 0). <c>respond</c> decides,
/// per attempt (1-based), the status to answer; null means never answer (the request hangs until the
/// caller gives up or the receiver stops).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _attempts;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Attempts => Volatile.Read(ref _attempts);

    public static async Task<WebhookReceiver> StartAsync(Func<int, int?>? respond = null)
    {
        respond ??= _ => 200;
        ApproverSidecar.DisableConfigurationWatchers();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            var attempt = Interlocked.Increment(ref receiver._attempts);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._received.Writer.TryWrite(new ReceivedWebhook(attempt, headers, body.ToArray()));
            if (respond(attempt) is not { } status)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
                return;
            }

            http.Response.StatusCode = status;
        });
        await app.StartAsync().WithTimeout();
        receiver.Url = new Uri(app.Urls.First().TrimEnd('/') + "/hook");
        return receiver;
    }

    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null) =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));

    public bool TryNext(out ReceivedWebhook? received) => _received.Reader.TryRead(out received);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _app.DisposeAsync();
    }
}
