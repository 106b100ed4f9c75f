using Gate.Client.Evidence;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using GateSidecar.Tokens;

namespace GateSidecar.Tests.Tokens;

internal static class TokenTestData
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public static Struct Arguments() =>
        JsonParser.Default.Parse<Struct>("""{"amount": 900, "currency": "EUR", "customer_id": "c-42", "lines": [{"sku": "A-1", "qty": 2}]}""");

    public static TokenClaimsInput Input(Struct arguments, string tool = "payments.refund", string tenant = "acme") =>
        new("apr_01HZX", tool, tenant, "agent-7", "large-refund", "2026-11-21.1", ArgsHash.Compute(arguments));
}
