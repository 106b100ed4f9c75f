namespace Gate.LoadTests.Scenarios;

/// <summary>
/// Remembers the approval id each call received (as a 64-bit hash, in the slot of the call's index)
/// to prove afterwards that no two calls shared a record. Cheap enough for millions of calls.
/// </summary>
internal sealed class IdLedger(long capacity)
{
    private readonly long[] _hashes = new long[Math.Max(1, capacity)];

    public void Record(long index, string approvalId)
    {
        if (index >= 0 && index < _hashes.Length)
        {
            // Non-zero marks a filled slot.
            _hashes[index] = (long)(Hash(approvalId) | 1UL);
        }
    }

    /// <summary>How many ids were recorded, and how many of them repeat an earlier one.</summary>
    public (long Recorded, long Duplicates) Count()
    {
        var filled = _hashes.Where(h => h != 0).ToArray();
        Array.Sort(filled);
        long duplicates = 0;
        for (var i = 1; i < filled.Length; i++)
        {
            if (filled[i] == filled[i - 1])
            {
                duplicates++;
            }
        }

        return (filled.Length, duplicates);
    }

    private static ulong Hash(string value)
    {
        // FNV-1a over the UTF-16 code units: ids are random, so a plain 64-bit hash is collision-free in practice.
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
