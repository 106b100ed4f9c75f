using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// A fault in an API or webhook handler is a bug, not an expected outcome: it is logged with its stack,
/// and the caller gets a problem document (never the exception's text) instead of an empty 500.
/// </summary>
internal static partial class ApiExceptionGuard
{
    public static void Use(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiExceptionGuard).FullName!);
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/webhooks"))
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(http).ConfigureAwait(false);
            }
            catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
            {
                LogFault(logger, ex, http.Request.Method, path.Value ?? string.Empty);
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    await new ApiError(StatusCodes.Status500InternalServerError, "INTERNAL", "the sidecar failed to handle this request; its log has the details").WriteAsync(http).ConfigureAwait(false);
                }
            }
        });
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, string path);
}
