namespace GateSidecar.Tests.Infrastructure;

/// <summary>Every await in a test has a timeout, so a hang fails fast instead of stalling the run.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static Task WithTimeout(this Task task) => task.WaitAsync(Default);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task WithTimeout(this ValueTask task) => task.AsTask().WaitAsync(Default);

    public static Task<T> WithTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Default);

    /// <summary>Reads a whole stream, failing if it takes longer than <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this IAsyncEnumerable<T> source, TimeSpan? timeout = null)
    {
        var items = new List<T>();
        await foreach (var item in source.WithTimeout(timeout ?? Default).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Fails the enumeration with <see cref="TimeoutException"/> when it runs longer than <paramref name="timeout"/>.</summary>
    public static async IAsyncEnumerable<T> WithTimeout<T>(this IAsyncEnumerable<T> source, TimeSpan timeout)
    {
        await using var enumerator = source.GetAsyncEnumerator();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await enumerator.MoveNextAsync().AsTask().WaitAsync(left).ConfigureAwait(false))
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"the stream did not end within {timeout}");
                }

                yield break;
            }

            yield return enumerator.Current;
        }
    }
}
