#!/usr/bin/env python3
"""A real grpcio client run against the Gate sidecar.

Prints one JSON object per check, e.g. {"check": "health_check", "code": "OK", ...}.
The script reports what it observed; the xunit tests decide whether that is right.

Usage: python_client.py --target 127.0.0.1:7070 --gen DIR [--checks a,b,c]
DIR holds the message modules generated at test time (see PythonInteropFixture).
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--gen", required=True)
    parser.add_argument("--checks", default="all")
    args = parser.parse_args()
    sys.path.insert(0, args.gen)

    import grpc
    from google.protobuf import descriptor_pb2
    import health_pb2
    import reflection_pb2
    from gate.testing.v1 import echo_pb2
    from gate.v1 import gate_pb2

    channel = grpc.insecure_channel(args.target)

    def unary(path, request, response_type, timeout=10, metadata=None):
        call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_type.FromString)
        return call(request, timeout=timeout, metadata=metadata)

    def stream(path, request, response_type, timeout=10):
        call = channel.unary_stream(path, request_serializer=lambda m: m.SerializeToString(),
                                    response_deserializer=response_type.FromString)
        return call(request, timeout=timeout)

    def reflect(*requests):
        call = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                     request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        return list(call(iter(requests), timeout=10))

    def failure(error):
        return {"code": error.code().name, "details": error.details()}

    def health_check():
        response = unary("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
        return {"code": "OK", "status": health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}

    def health_check_unknown():
        unary("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(service="acme.v1.Nope"), health_pb2.HealthCheckResponse)
        return {"code": "OK"}

    def reflection_list():
        [response] = reflect(reflection_pb2.ServerReflectionRequest(list_services="*"))
        return {"code": "OK", "services": [s.name for s in response.list_services_response.service]}

    def reflection_symbol():
        [response] = reflect(reflection_pb2.ServerReflectionRequest(file_containing_symbol="gate.v1.Gate"))
        files = []
        for raw in response.file_descriptor_response.file_descriptor_proto:
            proto = descriptor_pb2.FileDescriptorProto()
            proto.ParseFromString(raw)
            files.append({"name": proto.name, "services": [s.name for s in proto.service],
                          "methods": [m.name for s in proto.service for m in s.method]})
        return {"code": "OK", "files": files}

    def reflection_unknown_symbol():
        [response] = reflect(reflection_pb2.ServerReflectionRequest(file_containing_symbol="acme.Nothing"))
        return {"code": "OK", "error_code": response.error_response.error_code}

    def unary_echo():
        response = unary("/gate.testing.v1.Echo/Unary", echo_pb2.EchoRequest(text="hello from python", echo_header="x-agent"),
                         echo_pb2.EchoResponse, metadata=[("x-agent", "py-agent")])
        return {"code": "OK", "text": response.text, "header_value": response.header_value,
                "deadline_remaining_ms": response.deadline_remaining_ms}

    def unary_error_non_ascii():
        message = "Rückerstattung abgelehnt: 100% ≠ 日本語"
        unary("/gate.testing.v1.Echo/Unary", echo_pb2.EchoRequest(fail_code=7, fail_message=message), echo_pb2.EchoResponse)
        return {"code": "OK"}

    def server_stream_echo():
        responses = list(stream("/gate.testing.v1.Echo/ServerStream", echo_pb2.EchoRequest(text="s", count=5), echo_pb2.EchoResponse))
        return {"code": "OK", "indexes": [r.index for r in responses]}

    def health_watch_deadline():
        received = []
        try:
            for response in stream("/grpc.health.v1.Health/Watch", health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse, timeout=0.2):
                received.append(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))
            return {"code": "OK", "received": received}
        except grpc.RpcError as error:
            return dict(failure(error), received=received)

    def unknown_method():
        unary("/gate.v1.Gate/NoSuchMethod", gate_pb2.GetApprovalRequest(), gate_pb2.GetApprovalRequest)
        return {"code": "OK"}

    def unimplemented_contract():
        unary("/gate.v1.Gate/GetApproval", gate_pb2.GetApprovalRequest(approval_id="apr_1"), gate_pb2.GetApprovalRequest)
        return {"code": "OK"}

    def oversized():
        unary("/gate.testing.v1.Echo/Unary", echo_pb2.EchoRequest(payload=b"\0" * (4 * 1024 * 1024 + 1)), echo_pb2.EchoResponse)
        return {"code": "OK"}

    checks = {f.__name__: f for f in [
        health_check, health_check_unknown, reflection_list, reflection_symbol, reflection_unknown_symbol,
        unary_echo, unary_error_non_ascii, server_stream_echo, health_watch_deadline, unknown_method,
        unimplemented_contract, oversized]}
    selected = list(checks) if args.checks == "all" else args.checks.split(",")
    for name in selected:
        try:
            result = checks[name]()
        except grpc.RpcError as error:
            result = failure(error)
        except Exception as error:  # reported, so the test shows what broke
            result = {"code": "SCRIPT_ERROR", "details": repr(error)}
        print(json.dumps(dict(check=name, **result), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
