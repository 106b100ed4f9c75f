#!/usr/bin/python3
"""Writes the framed gRPC body of one auto-pass CheckRequest (a refund of 100,
rule small-refund in examples/policy.yaml) to the file named by argv[2]; argv[1]
is the directory of the protoc-generated gate.v1 modules."""
import struct
import sys

sys.path.insert(0, sys.argv[1])
from gate.v1 import types_pb2  # noqa: E402

request = types_pb2.CheckRequest()
request.call_id = "bench-call-1"
request.tool = "payments.refund"
request.agent.agent_id = "bench-agent"
request.agent.tenant = "bench"
request.agent.on_behalf_of = "zoe"
request.arguments.update({"amount": 100, "customer_id": "c-42"})
payload = request.SerializeToString()
with open(sys.argv[2], "wb") as out:
    out.write(struct.pack(">BI", 0, len(payload)) + payload)
