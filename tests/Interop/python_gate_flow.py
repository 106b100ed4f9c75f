#!/usr/bin/env python3
"""An agent and an approver written with stock grpcio, run against a real Gate sidecar.

Prints one JSON object per observation; the xunit test (PythonGateFlowTests) judges them.
Usage: python_gate_flow.py --target 127.0.0.1:7070 --gen DIR --token APPROVER_TOKEN
"""
import argparse
import json
import sys
import threading
import time
import uuid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--gen", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.gen)

    import grpc
    from gate.v1 import approvals_pb2, types_pb2

    channel = grpc.insecure_channel(args.target)

    def unary(path, req_type, resp_type):
        return channel.unary_unary(path, request_serializer=req_type.SerializeToString, response_deserializer=resp_type.FromString)

    check = unary("/gate.v1.Gate/Check", types_pb2.CheckRequest, types_pb2.CheckResponse)
    decide = unary("/gate.v1.Approvals/Decide", approvals_pb2.DecideRequest, types_pb2.Approval)
    guard = channel.unary_stream("/gate.v1.Gate/Guard", request_serializer=types_pb2.CheckRequest.SerializeToString,
                                 response_deserializer=types_pb2.ApprovalEvent.FromString)

    def out(**kv):
        print(json.dumps(kv), flush=True)

    def refund(amount):
        r = types_pb2.CheckRequest(call_id="py-" + uuid.uuid4().hex, tool="payments.refund",
                                   agent=types_pb2.AgentContext(agent_id="py-agent", tenant="acme", on_behalf_of="zoe"))
        r.arguments.update({"amount": amount, "customer_id": "c-1", "card_number": "4111111111111111"})
        return r

    auto = check(refund(100), timeout=10)
    out(check="auto", verdict=types_pb2.Verdict.Name(auto.verdict), rule=auto.rule, token_parts=len(auto.token.split(".")))

    gated = refund(900)
    events = []

    def follow():
        for e in guard(gated, timeout=20):
            events.append(e)

    t = threading.Thread(target=follow)
    t.start()
    pending = None
    for _ in range(200):
        if events:
            pending = events[0]
            break
        time.sleep(0.025)
    out(check="guard_first", state=types_pb2.ApprovalState.Name(pending.state) if pending else None)

    md = [("authorization", "Bearer " + args.token)]
    try:
        decide(approvals_pb2.DecideRequest(approval_id=pending.approval_id, verdict=types_pb2.DECISION_VERDICT_REJECT), metadata=md, timeout=10)
        out(check="reject_without_reason", code="OK")
    except grpc.RpcError as e:
        out(check="reject_without_reason", code=e.code().name, details=e.details())

    try:
        decide(approvals_pb2.DecideRequest(approval_id=pending.approval_id, verdict=types_pb2.DECISION_VERDICT_APPROVE),
               metadata=[("authorization", "Bearer wrong")], timeout=10)
        out(check="wrong_token", code="OK")
    except grpc.RpcError as e:
        out(check="wrong_token", code=e.code().name, details=e.details())

    approved = decide(approvals_pb2.DecideRequest(approval_id=pending.approval_id, verdict=types_pb2.DECISION_VERDICT_APPROVE), metadata=md, timeout=10)
    out(check="approve", state=types_pb2.ApprovalState.Name(approved.state),
        approver_sees_card=approved.request.arguments["card_number"])
    t.join(20)
    out(check="guard_events", states=[types_pb2.ApprovalState.Name(e.state) for e in events],
        token_parts=len(events[-1].approval.token.split(".")) if events else 0)

    try:
        check(types_pb2.CheckRequest(tool="payments.refund"), timeout=10)
        out(check="missing_call_id", code="OK")
    except grpc.RpcError as e:
        out(check="missing_call_id", code=e.code().name, details=e.details())


if __name__ == "__main__":
    main()
