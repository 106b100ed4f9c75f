using Microsoft.Extensions.Logging;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Writes a store's log lines to the current test's output, so a failing test shows what the store saw.</summary>
internal sealed class TestOutputLogger<T> : ILogger<T>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    /// <summary>Every line logged so far.</summary>
    public IReadOnlyCollection<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} [{typeof(T).Name}] {formatter(state, exception)}";
        if (exception is not null)
        {
            line += " " + exception.GetType().Name + ": " + exception.Message;
        }

        _lines.Enqueue(line);
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Logged after the test finished: nobody is listening any more.
        }
    }
}
