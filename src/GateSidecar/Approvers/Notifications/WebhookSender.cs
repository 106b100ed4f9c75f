using System.Net;
using System.Net.Http.Headers;
using GateSidecar.Approvers.Http;

namespace GateSidecar.Approvers.Notifications;

/// <summary>What one attempt achieved.</summary>
internal enum SendResult
{
    Delivered,

    /// <summary>Worth another attempt: a timeout, a connection failure, 408, 429 or 5xx.</summary>
    Retry,

    /// <summary>The receiver refused the body for good (any other 4xx); retrying would not help.</summary>
    Refused,
}

/// <summary>POSTs one delivery attempt, signed afresh (so a late retry is not stale to the receiver).</summary>
internal sealed class WebhookSender(HttpClient http, TimeProvider time)
{
    public async Task<(SendResult Result, string Detail)> SendAsync(Delivery delivery, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Target.Url)
        {
            Content = new ByteArrayContent(delivery.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("User-Agent", "gate-sidecar");
        request.Headers.TryAddWithoutValidation("X-Gate-Event", delivery.EventName);
        request.Headers.TryAddWithoutValidation("X-Gate-Delivery", delivery.DeliveryId);
        if (delivery.Target.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Create(secret, time.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (SendResult.Delivered, $"HTTP {code}");
            }

            var retry = response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || code >= 500;
            return (retry ? SendResult.Retry : SendResult.Refused, $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (SendResult.Retry, $"no answer within {timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException ex)
        {
            return (SendResult.Retry, ex.Message);
        }
    }
}
