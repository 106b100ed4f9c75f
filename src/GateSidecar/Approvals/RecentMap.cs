using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace GateSidecar.Approvals;

/// <summary>
/// A concurrent map that keeps only what was put in most recently: beyond <paramref name="capacity"/>
/// insertions still counted, the oldest keys are dropped (a key put twice counts twice, and its
/// first insertion may drop the later value early: callers treat a missing entry as "not known").
/// </summary>
internal sealed class RecentMap<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _items = new(comparer);
    private readonly ConcurrentQueue<TKey> _order = new();

    public int Count => _items.Count;

    /// <summary>Adds <paramref name="value"/> unless <paramref name="key"/> is present.</summary>
    public bool TryAdd(TKey key, TValue value)
    {
        if (!_items.TryAdd(key, value))
        {
            return false;
        }

        Inserted(key);
        return true;
    }

    /// <summary>Puts <paramref name="value"/> under <paramref name="key"/>, replacing what was there.</summary>
    public void Set(TKey key, TValue value)
    {
        _items[key] = value;
        Inserted(key);
    }

    public bool TryRemove(TKey key, [MaybeNullWhen(false)] out TValue value) => _items.TryRemove(key, out value);

    /// <summary>Removes <paramref name="key"/> only while it still holds <paramref name="value"/>.</summary>
    public bool TryRemove(TKey key, TValue value) => _items.TryRemove(KeyValuePair.Create(key, value));

    private void Inserted(TKey key)
    {
        _order.Enqueue(key);
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _items.TryRemove(oldest, out _);
        }
    }
}
