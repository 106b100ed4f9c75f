using Gate.Client;
using GateSidecar.Tests.Echo;
using GateSidecar.Tests.Infrastructure;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class StreamingCallTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string ServerStream = "/gate.testing.v1.Echo/ServerStream";
    private const string Duplex = "/gate.testing.v1.Echo/Duplex";

    private GateTestServer Server => fixture.Server;

    [Fact]
    public async Task ServerStreaming_YieldsEveryMessageInOrder()
    {
        var responses = await GrpcCall.ServerStreaming(Server.Channel, ServerStream, new EchoRequest { Text = "event", Count = 50 }, EchoResponse.Parser).ReadAllAsync();

        Assert.Equal(Enumerable.Range(0, 50), responses.Select(r => r.Index));
        Assert.All(responses, r => Assert.Equal("event", r.Text));
    }

    [Fact]
    public async Task ServerStreaming_ZeroMessages_EndsWithOk()
    {
        var responses = await GrpcCall.ServerStreaming(Server.Channel, ServerStream, new EchoRequest { Count = 0 }, EchoResponse.Parser).ReadAllAsync();

        Assert.Empty(responses);
    }

    [Fact]
    public async Task ServerStreaming_ErrorAfterMessages_ArrivesInTrailersAfterThem()
    {
        var request = new EchoRequest { Count = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "approval changed under you" };
        var received = new List<EchoResponse>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var response in GrpcCall.ServerStreaming(Server.Channel, ServerStream, request, EchoResponse.Parser).WithTimeout(TestTimeouts.Default))
            {
                received.Add(response);
            }
        });

        Assert.Equal(2, received.Count);
        Assert.Equal(StatusCode.Aborted, error.Status);
        Assert.Equal("approval changed under you", error.Detail);
    }

    [Fact]
    public async Task ServerStreaming_DeadlineExpiresMidStream_DeadlineExceeded_AndTheHandlerIsCancelled()
    {
        // 100 messages 100 ms apart (10 s) against a 2 s deadline: the first is due at 100 ms, which
        // leaves a loaded machine 1.9 s to deliver it before the deadline (with 350 ms it once did not).
        var request = new EchoRequest { Text = "deadline-mid-stream", Count = 100, DelayMs = 100 };
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in GrpcCall.ServerStreaming(Server.Channel, ServerStream, request, EchoResponse.Parser, CallOptions.WithTimeout(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken)).WithTimeout(TestTimeouts.Default))
            {
                received++;
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
        Assert.InRange(received, 1, 99);
        var cancellation = await NextCancellationAsync("deadline-mid-stream");
        Assert.True(cancellation.DeadlineExpired || cancellation.ClientAborted);
    }

    [Fact]
    public async Task ServerStreaming_ClientCancels_Cancelled_AndTheHandlerIsCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var request = new EchoRequest { Text = "client-cancel", Count = 100, DelayMs = 100 };
        var stream = GrpcCall.ServerStreaming(Server.Channel, ServerStream, request, EchoResponse.Parser, new CallOptions { CancellationToken = cancel.Token });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var response in stream.WithTimeout(TestTimeouts.Default))
            {
                if (response.Index == 1)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(StatusCode.Cancelled, error.Status);
        var cancellation = await NextCancellationAsync("client-cancel");
        Assert.True(cancellation.ClientAborted);
        Assert.False(cancellation.DeadlineExpired);
    }

    [Fact]
    public async Task ServerStreaming_ConsumerStopsEarly_TheHandlerIsCancelled()
    {
        var request = new EchoRequest { Text = "stop-early", Count = 100, DelayMs = 100 };

        await foreach (var response in GrpcCall.ServerStreaming(Server.Channel, ServerStream, request, EchoResponse.Parser).WithTimeout(TestTimeouts.Default))
        {
            if (response.Index == 0)
            {
                break;
            }
        }

        var cancellation = await NextCancellationAsync("stop-early");
        Assert.True(cancellation.ClientAborted);
    }

    [Fact]
    public async Task Duplex_EachRequest_IsAnsweredInTurn()
    {
        var responses = await GrpcCall.DuplexStreaming(Server.Channel, Duplex, Requests(5), EchoResponse.Parser).ReadAllAsync();

        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], responses.Select(r => r.Text));
        Assert.Equal(Enumerable.Range(0, 5), responses.Select(r => r.Index));

        static async IAsyncEnumerable<EchoRequest> Requests(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                yield return new EchoRequest { Text = $"m{i}" };
            }
        }
    }

    [Fact]
    public async Task Duplex_ResponsesFlowWhileTheRequestStreamIsOpen()
    {
        // The second request is only sent after the first response arrived: proves full duplex.
        var firstAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var texts = new List<string>();

        await foreach (var response in GrpcCall.DuplexStreaming(Server.Channel, Duplex, Requests(), EchoResponse.Parser).WithTimeout(TestTimeouts.Default))
        {
            texts.Add(response.Text);
            firstAnswered.TrySetResult();
        }

        Assert.Equal(["ping", "pong"], texts);

        async IAsyncEnumerable<EchoRequest> Requests()
        {
            yield return new EchoRequest { Text = "ping" };
            await firstAnswered.Task.WaitAsync(TestTimeouts.Default);
            yield return new EchoRequest { Text = "pong" };
        }
    }

    private async Task<EchoCancellation> NextCancellationAsync(string text)
    {
        while (true)
        {
            var cancellation = await fixture.Echo.Cancellations.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Default);
            if (cancellation.Text == text)
            {
                return cancellation;
            }
        }
    }
}
