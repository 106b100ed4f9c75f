using Gate.Client;

namespace Gate.LoadTests.Measurement;

/// <summary>Completed calls by gRPC status code, lock-free.</summary>
internal sealed class StatusCounts
{
    private const int Codes = 17;
    private const int MaxSamples = 8;
    private readonly long[] _counts = new long[Codes];
    private readonly List<string> _samples = [];

    /// <summary>Records a failed call and keeps its message if it is one of the first few distinct ones.</summary>
    public void RecordError(StatusCode code, string detail)
    {
        Record(code);
        lock (_samples)
        {
            var sample = $"{Name(code)}: {detail}";
            if (_samples.Count < MaxSamples && !_samples.Contains(sample))
            {
                _samples.Add(sample);
            }
        }
    }

    /// <summary>The first distinct error messages seen (at most eight).</summary>
    public IReadOnlyList<string> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Records an outcome: OK, or an error with its message.</summary>
    public void Record(StatusCode code, string? detail)
    {
        if (code == StatusCode.OK)
        {
            Record(code);
        }
        else
        {
            RecordError(code, detail ?? string.Empty);
        }
    }

    public void Record(StatusCode code)
    {
        var index = (int)code;
        Interlocked.Increment(ref _counts[index is >= 0 and < Codes ? index : (int)StatusCode.Unknown]);
    }

    public long this[StatusCode code] => Volatile.Read(ref _counts[(int)code]);

    public long Ok => this[StatusCode.OK];

    public long Total => Ok + Errors;

    /// <summary>
    /// Calls that did not end OK: the sum of the other codes (not Total − Ok, which, read while
    /// calls complete, could count an OK between the two reads and go below zero).
    /// </summary>
    public long Errors
    {
        get
        {
            long errors = 0;
            for (var i = 1; i < Codes; i++)
            {
                errors += Volatile.Read(ref _counts[i]);
            }

            return errors;
        }
    }

    /// <summary>Non-zero counts by status name, OK first, e.g. {"OK": 1000, "UNAVAILABLE": 2}.</summary>
    public IReadOnlyDictionary<string, long> ToDictionary()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < Codes; i++)
        {
            var count = Volatile.Read(ref _counts[i]);
            if (count > 0)
            {
                result[Name((StatusCode)i)] = count;
            }
        }

        return result;
    }

    /// <summary>The canonical gRPC name of a code (UPPER_SNAKE).</summary>
    public static string Name(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
