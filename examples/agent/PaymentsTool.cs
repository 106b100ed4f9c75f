using Google.Protobuf.WellKnownTypes;

namespace Gate.Examples.Agent;

/// <summary>A stand-in for a real payment provider: it only prints what it would do.</summary>
internal static class PaymentsTool
{
    private static int s_next;

    public static Task<string> RefundAsync(Struct arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var amount = arguments.Fields["amount"].NumberValue;
        var currency = arguments.Fields["currency"].StringValue;
        var customer = arguments.Fields["customer_id"].StringValue;
        var reference = $"rf_{Interlocked.Increment(ref s_next):D4}";
        Console.WriteLine($"    [payments] refunded {amount} {currency} to {customer} ({reference})");
        return Task.FromResult(reference);
    }

    public static Task<string> DropTableAsync(Struct arguments, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("this tool must never run in the example");
}
