#!/usr/bin/env python3
"""A real grpcio server for the .NET client: grpc.health.v1.Health and gate.testing.v1.Echo,
served through the generic handler API.

Usage: python_server.py --gen DIR [--port 0]
Prints "python listening on 127.0.0.1:PORT" once it serves; stops on SIGTERM or stdin EOF.
"""
import argparse
import sys
import time
from concurrent import futures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gen", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, args.gen)

    import grpc
    import health_pb2
    from gate.testing.v1 import echo_pb2

    def serialize(message):
        return message.SerializeToString()

    def wait(request, context):
        # Sleep in small steps so a cancelled or expired call stops promptly.
        end = time.monotonic() + request.delay_ms / 1000.0
        while time.monotonic() < end:
            if not context.is_active():
                return False
            time.sleep(0.01)
        return True

    def respond(request, context, index):
        metadata = dict(context.invocation_metadata())
        remaining = context.time_remaining()
        return echo_pb2.EchoResponse(
            text=request.text, payload=request.payload, index=index,
            header_value=metadata.get(request.echo_header, "") if request.echo_header else "",
            # Without a deadline grpcio reports an enormous remaining time rather than None.
            deadline_remaining_ms=-1 if remaining is None or remaining > 1e9 else int(remaining * 1000))

    def fail_if_asked(request, context):
        if request.fail_code:
            context.abort(grpc.StatusCode(tuple(s.value for s in grpc.StatusCode if s.value[0] == request.fail_code)[0]),
                          request.fail_message)

    def unary(request, context):
        wait(request, context)
        fail_if_asked(request, context)
        return respond(request, context, 0)

    def server_stream(request, context):
        for index in range(request.count):
            if not wait(request, context):
                return
            yield respond(request, context, index)
        fail_if_asked(request, context)

    def health_check(request, context):
        if request.service not in ("", "gate.testing.v1.Echo"):
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service " + request.service)
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    def health_watch(request, context):
        yield health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)
        while context.is_active():
            time.sleep(0.05)

    echo = grpc.method_handlers_generic_handler("gate.testing.v1.Echo", {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, echo_pb2.EchoRequest.FromString, serialize),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream, echo_pb2.EchoRequest.FromString, serialize),
    })
    health = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(health_check, health_pb2.HealthCheckRequest.FromString, serialize),
        "Watch": grpc.unary_stream_rpc_method_handler(health_watch, health_pb2.HealthCheckRequest.FromString, serialize),
    })

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((echo, health))
    port = server.add_insecure_port("127.0.0.1:%d" % args.port)
    server.start()
    print("python listening on 127.0.0.1:%d" % port, flush=True)
    try:
        sys.stdin.read()  # the test closes stdin to stop the server
    finally:
        server.stop(grace=0)


if __name__ == "__main__":
    main()
