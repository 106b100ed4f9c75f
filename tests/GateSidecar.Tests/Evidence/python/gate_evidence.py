#!/usr/bin/python3
"""Independent check of Gate's evidence, with the Python standard library and `cryptography`.

  verify-token  --jwks F --token F --args F --tool T [--tenant T] [--now UNIX] [--skew S]
                Verifies a Gate token (ES256 compact JWS) offline and prints a JSON verdict.
  jcs           --input F
                Prints the RFC 8785 canonical form of the JSON in F (UTF-8, no newline).
  audit-hashes  --input F
                F holds one audit entry per line (proto3 JSON); recomputes every hash and link.

The JCS code here is written from RFC 8785 and ECMA-262, separately from the C# one, so that
agreement between the two is evidence rather than an echo.
"""
import argparse
import base64
import hashlib
import json
import re
import sys
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

GENESIS = "0" * 64
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class JcsError(ValueError):
    pass


# --- RFC 8785 -------------------------------------------------------------------------------

def jcs(value):
    """Canonical UTF-8 bytes of a parsed JSON value."""
    return _serialize(value).encode("utf-8", errors="strict")


def _serialize(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return es_number(float(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(_serialize(v) for v in value) + "]"
    if isinstance(value, dict):
        # Sort by UTF-16 code units: big-endian UTF-16 bytes compare in that order.
        keys = sorted(value.keys(), key=lambda k: k.encode("utf-16-be", errors="surrogatepass"))
        return "{" + ",".join(_string(k) + ":" + _serialize(value[k]) for k in keys) + "}"
    raise JcsError("not a JSON value: %r" % (value,))


def _string(s):
    out = ['"']
    for ch in s:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise JcsError("lone surrogate in string")
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def es_number(x):
    """ECMAScript Number.prototype.toString for a finite double (ECMA-262 Number::toString)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise JcsError("NaN and infinities are not JSON numbers")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es_number(-x)
    # Fewest significant digits that read back as x (correctly rounded by %e).
    for precision in range(1, 18):
        text = "%.*e" % (precision - 1, x)
        if float(text) == x:
            break
    mantissa, exponent = text.split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    k = len(digits)
    n = int(exponent) + 1  # x = 0.d1d2...dk * 10^n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return head + "e" + sign + str(abs(e))


def parse_json(text):
    def no_duplicates(pairs):
        obj = {}
        for key, value in pairs:
            if key in obj:
                raise JcsError("duplicate key %r" % key)
            obj[key] = value
        return obj

    def no_constants(name):
        raise JcsError("%s is not JSON" % name)

    return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


# --- ES256 tokens ---------------------------------------------------------------------------

def b64url_decode(part):
    if not _B64URL.match(part) or len(part) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(jwk):
    members = '{"crv":"%s","kty":"%s","x":"%s","y":"%s"}' % (jwk["crv"], jwk["kty"], jwk["x"], jwk["y"])
    return b64url_encode(hashlib.sha256(members.encode("ascii")).digest())


def verify_token(jwks, token, arguments, tool, tenant, now, skew):
    verdict = {"valid": False, "error": None, "kid": None, "kid_is_thumbprint": None,
               "args_sha256": sha256_hex(jcs(arguments)), "claims": None}

    def fail(message):
        verdict["error"] = message
        return verdict

    parts = token.split(".")
    if len(parts) != 3:
        return fail("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload_bytes = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
    except ValueError as e:
        return fail("undecodable part: %s" % e)
    if header.get("alg") != "ES256":
        return fail("alg %r is not ES256" % header.get("alg"))
    keys = {k.get("kid"): k for k in jwks.get("keys", []) if k.get("kty") == "EC" and k.get("crv") == "P-256"}
    jwk = keys.get(header.get("kid"))
    verdict["kid"] = header.get("kid")
    if jwk is None:
        return fail("unknown kid %r" % header.get("kid"))
    verdict["kid_is_thumbprint"] = thumbprint(jwk) == jwk["kid"]
    public_key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url_decode(jwk["x"]), "big"),
        int.from_bytes(b64url_decode(jwk["y"]), "big"),
        ec.SECP256R1()).public_key()
    if len(signature) != 64:
        return fail("signature is not 64 bytes of r||s")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, (parts[0] + "." + parts[1]).encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return fail("bad signature")
    claims = json.loads(payload_bytes)
    verdict["claims"] = claims
    if claims.get("iss") != "gate":
        return fail("issuer %r" % claims.get("iss"))
    if claims["exp"] + skew <= now:
        return fail("expired")
    if claims["iat"] - skew > now:
        return fail("issued in the future")
    if claims.get("tool") != tool:
        return fail("token is for tool %r, not %r" % (claims.get("tool"), tool))
    if tenant is not None and claims.get("tenant") != tenant:
        return fail("token is for tenant %r" % claims.get("tenant"))
    if claims.get("args_sha256") != verdict["args_sha256"]:
        return fail("arguments differ from the token's args_sha256")
    verdict["valid"] = True
    return verdict


# --- audit chain ----------------------------------------------------------------------------

def audit_hashes(lines):
    report = {"ok": True, "entries": 0, "problems": []}
    prev = GENESIS
    for line in lines:
        if not line.strip():
            continue
        entry = parse_json(line)
        stored = entry.pop("hash", "")
        recomputed = sha256_hex(jcs(entry))
        seq = entry.get("seq")
        if recomputed != stored:
            report["problems"].append({"seq": seq, "problem": "hash", "recomputed": recomputed})
        if entry.get("prevHash", "") != prev:
            report["problems"].append({"seq": seq, "problem": "link"})
        prev = stored
        report["entries"] += 1
    report["ok"] = not report["problems"]
    return report


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    v = commands.add_parser("verify-token")
    v.add_argument("--jwks", required=True)
    v.add_argument("--token", required=True)
    v.add_argument("--args", required=True)
    v.add_argument("--tool", required=True)
    v.add_argument("--tenant")
    v.add_argument("--now", type=int)
    v.add_argument("--skew", type=int, default=30)
    j = commands.add_parser("jcs")
    j.add_argument("--input", required=True)
    a = commands.add_parser("audit-hashes")
    a.add_argument("--input", required=True)
    options = parser.parse_args(argv)

    if options.command == "verify-token":
        with open(options.jwks, encoding="utf-8") as f:
            jwks = json.load(f)
        with open(options.token, encoding="ascii") as f:
            token = f.read().strip()
        with open(options.args, encoding="utf-8") as f:
            arguments = parse_json(f.read())
        now = options.now if options.now is not None else int(time.time())
        print(json.dumps(verify_token(jwks, token, arguments, options.tool, options.tenant, now, options.skew)))
    elif options.command == "jcs":
        with open(options.input, encoding="utf-8") as f:
            sys.stdout.buffer.write(jcs(parse_json(f.read())))
    else:
        with open(options.input, encoding="utf-8") as f:
            print(json.dumps(audit_hashes(f)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
