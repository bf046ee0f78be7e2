#!/usr/bin/env python3
"""DynamoDB wire-conformance runner: sends the raw requests of dynamodb_cases.json to an endpoint
and compares status, __type (with namespace) and message byte for byte, or the response shape.

    run_conformance.py --endpoint http://127.0.0.1:4566 [--backend tributary|moto] [--report FILE]
                       [--cases FILE] [--only NAME_SUBSTRING] [-v]

Case fields (see dynamodb_cases.json):
  name, target ("PutItem" -> DynamoDB_20120810.PutItem; a name with a '.' is used as is),
  request (JSON body) or raw_body (string sent verbatim), headers (extra/overriding headers;
  a null value removes the header), setup (requests run first; each must return 200 unless it
  says "allow_error": true), expect, source, moto_known_difference + moto_note, pending.
  expect: status; __type (full, with namespace); message (exact) or message_prefix /
  message_contains; body (exact JSON equality); body_subset (recursive subset match); has (list of
  dotted paths that must exist); lacks (dotted paths that must not exist); lengths ({path: n},
  list/object sizes); integers (paths whose JSON value must be an integer, not a fraction);
  header_prefix ({lower-case header: prefix}); crc32 (when x-amz-crc32 is sent it must be the
  CRC32 of the body). Every response body must be valid UTF-8.
  A setup step may say "save": {"var": "dotted.path"}: the value at that path of its response
  replaces "{var}" in later steps and in the request.
Strings containing "{run}" get a per-run id, so re-running against one server never collides; a
string value {"$repeat": "a", "count": 2049} expands to "aaaa...".

Outcome per case:
  PASS          matches the expectation
  FAIL          differs (counts as a failure)
  KNOWN-DIFF    differs on a case marked moto_known_difference, with --backend moto (recorded)
  UNEXPECTED-OK matches on a moto_known_difference case with --backend moto (not a failure, but
                the note is stale)
  PENDING-FAIL  differs on a case marked "pending" (operation not implemented yet; not a failure
                with --backend tributary)
  PENDING-PASS  matches on a pending case: un-pend it
  PENDING-SKIPPED  a pending case with "pending_crashes": true, not sent to tributary
Exit status: 0 when there is no FAIL, 1 otherwise, 2 on usage or connection errors.

Requests are SigV4-signed with botocore's signer (dummy credentials) when botocore is importable,
unsigned otherwise. Standard library + botocore only.
"""

import argparse
import binascii
import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid

DYNAMODB_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
VALIDATE_NS = "com.amazon.coral.validate#"
INVALID_UTF8 = "x-conformance-invalid-utf8"  # set on a response whose body is not valid UTF-8
DYNAMODB_NS = "com.amazonaws.dynamodb.v20120810#"

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    HAVE_BOTOCORE = True
except ImportError:  # pragma: no cover - botocore is part of the toolchain, but be tolerant
    HAVE_BOTOCORE = False


def expand(value, run_id, saved=None):
    """Substitutes {run} and saved {var}s; expands {"$repeat": s, "count": n} recursively."""
    if isinstance(value, str):
        value = value.replace("{run}", run_id)
        for k, v in (saved or {}).items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [expand(v, run_id, saved) for v in value]
    if isinstance(value, dict):
        if "$repeat" in value and set(value) <= {"$repeat", "count"}:
            return value["$repeat"] * int(value["count"])
        return {expand(k, run_id, saved): expand(v, run_id, saved) for k, v in value.items()}
    return value


def full_target(target):
    return target if "." in target else DYNAMODB_PREFIX + target


class Client:
    def __init__(self, endpoint, region, timeout, credentials=None):
        u = urllib.parse.urlsplit(endpoint)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"bad endpoint {endpoint!r}")
        self.endpoint = endpoint.rstrip("/") + "/"
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.netloc = u.netloc
        self.region = region
        self.timeout = timeout
        self.conn = None
        self.credentials = credentials

    def _connection(self):
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=self.timeout)
        return self.conn

    def _sign(self, headers, body):
        if not HAVE_BOTOCORE:
            return headers
        req = AWSRequest(method="POST", url=self.endpoint, data=body, headers=dict(headers))
        creds = self.credentials or Credentials("AKIDCONFORMANCE", "conformance-secret")
        SigV4Auth(creds, "dynamodb", self.region).add_auth(req)
        return dict(req.headers.items())

    def send(self, target, body, extra_headers=None):
        """Returns (status, headers dict lower-cased, body text)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {"Content-Type": CONTENT_TYPE, "Host": self.netloc}
        if target is not None:
            headers["X-Amz-Target"] = target
        for k, v in (extra_headers or {}).items():
            for existing in [h for h in headers if h.lower() == k.lower()]:
                del headers[existing]
            if v is not None:
                headers[k] = v
        headers = self._sign(headers, data)
        for attempt in range(2):
            try:
                conn = self._connection()
                conn.request("POST", "/", body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                headers = {k.lower(): v for k, v in resp.getheaders()}
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:  # SDKs fail on such a body (botocore: UnicodeDecodeError)
                    text = raw.decode("utf-8", errors="replace")
                    headers[INVALID_UTF8] = "1"
                return resp.status, headers, text
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def lookup(doc, path):
    """Dotted path into dicts (and list indexes); returns (found, value)."""
    cur = doc
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


def subset_diff(expected, actual, where="$"):
    """None when `expected` is a recursive subset of `actual`, else a description."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {json.dumps(actual)[:80]}"
        for k, v in expected.items():
            if k not in actual:
                return f"{where}.{k}: missing"
            d = subset_diff(v, actual[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return f"{where}: expected list of {len(expected)}, got {json.dumps(actual)[:80]}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = subset_diff(e, a, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if expected == actual else f"{where}: expected {json.dumps(expected)}, got {json.dumps(actual)[:120]}"


def error_type(headers, doc):
    if isinstance(doc, dict):
        return doc.get("__type")
    return None


def error_message(doc):
    if not isinstance(doc, dict):
        return None
    for k in ("message", "Message"):
        if k in doc:
            return doc[k]
    return None


def compare(expect, status, headers, text):
    """Returns a list of mismatch descriptions (empty = match)."""
    problems = []
    if INVALID_UTF8 in headers:
        problems.append("response body is not valid UTF-8")
    try:
        doc = json.loads(text) if text.strip() else None
    except ValueError:
        doc = None
    if "status" in expect and status != expect["status"]:
        problems.append(f"status {status} != {expect['status']}")
    if "__type" in expect:
        got = error_type(headers, doc)
        if got != expect["__type"]:
            problems.append(f"__type {got!r} != {expect['__type']!r}")
    if "message" in expect:
        got = error_message(doc)
        if got != expect["message"]:
            problems.append(f"message {got!r} != {expect['message']!r}")
    if "message_prefix" in expect:
        got = error_message(doc)
        if not isinstance(got, str) or not got.startswith(expect["message_prefix"]):
            problems.append(f"message {got!r} does not start with {expect['message_prefix']!r}")
    if "message_contains" in expect:
        got = error_message(doc)
        if not isinstance(got, str) or expect["message_contains"] not in got:
            problems.append(f"message {got!r} does not contain {expect['message_contains']!r}")
    if "body" in expect and doc != expect["body"]:
        problems.append(f"body {text[:160]!r} != {json.dumps(expect['body'])}")
    if "body_subset" in expect:
        d = subset_diff(expect["body_subset"], doc)
        if d:
            problems.append(d)
    for path in expect.get("has", []):
        if not lookup(doc, path)[0]:
            problems.append(f"missing {path}")
    for path in expect.get("lacks", []):
        if lookup(doc, path)[0]:
            problems.append(f"unexpected {path}")
    for path, n in expect.get("lengths", {}).items():
        found, v = lookup(doc, path)
        if not found or not isinstance(v, (list, dict)) or len(v) != n:
            problems.append(f"{path}: expected {n} entries, got {json.dumps(v)[:100] if found else 'nothing'}")
    for path in expect.get("integers", []):
        found, v = lookup(doc, path)
        if not found or isinstance(v, bool) or not isinstance(v, int):
            problems.append(f"{path}: expected an integer, got {json.dumps(v) if found else 'nothing'}")
    for name, prefix in expect.get("header_prefix", {}).items():
        got = headers.get(name.lower())
        if got is None or not got.startswith(prefix):
            problems.append(f"header {name}: {got!r} does not start with {prefix!r}")
    if expect.get("crc32") and "x-amz-crc32" in headers:
        want = binascii.crc32(text.encode("utf-8")) & 0xFFFFFFFF
        if headers["x-amz-crc32"] != str(want):
            problems.append(f"x-amz-crc32 {headers['x-amz-crc32']} != {want}")
    if problems and doc is None and text:
        problems.append(f"body not JSON: {text[:100]!r}")
    return problems


def run_case(client, case, run_id):
    """Returns (matched, problems, status, body)."""
    saved = {}
    for step in case.get("setup", []):
        step = expand(step, run_id, saved)
        status, _, text = client.send(full_target(step["target"]), json.dumps(step["request"]))
        if status != 200 and not step.get("allow_error"):
            return None, [f"setup {step['target']} failed: {status} {text[:200]}"], status, text, False
        if step.get("wait_active"):
            wait_active(client, step["request"]["TableName"])
        for var, path in step.get("save", {}).items():
            found, v = lookup(json.loads(text) if status == 200 else None, path)
            if not found:
                return None, [f"setup {step['target']}: no {path} in {text[:200]}"], status, text, False
            saved[var] = str(v)
    target = case.get("target")
    headers = expand(case.get("headers", {}), run_id, saved)
    if "raw_body" in case:
        body = expand(case["raw_body"], run_id, saved)
    else:
        body = json.dumps(expand(case.get("request", {}), run_id, saved))
    status, resp_headers, text = client.send(full_target(target) if target else None, body, headers)
    expect = expand(case["expect"], run_id, saved)
    problems = compare(expect, status, resp_headers, text)
    namespace_only = False
    if problems and expect.get("__type", "").startswith(VALIDATE_NS):
        # Would it match with moto's namespace for ValidationException? (checklist section 0)
        alt = dict(expect, __type=DYNAMODB_NS + expect["__type"][len(VALIDATE_NS):])
        namespace_only = not compare(alt, status, resp_headers, text)
    return not problems, problems, status, text, namespace_only


def wait_active(client, table, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, text = client.send(full_target("DescribeTable"), json.dumps({"TableName": table}))
        if status == 200 and json.loads(text).get("Table", {}).get("TableStatus") == "ACTIVE":
            return
        time.sleep(0.2)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--backend", choices=["tributary", "moto", "aws"], default="tributary")
    p.add_argument("--cases", default=os.path.join(here, "dynamodb_cases.json"))
    p.add_argument("--report", help="write a JSON report here")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--only", help="run only cases whose name contains this")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("-v", "--verbose", action="store_true", help="print the response of every mismatch")
    args = p.parse_args(argv)

    with open(args.cases, encoding="utf-8") as f:
        spec = json.load(f)
    cases = spec["cases"]
    names = [c["name"] for c in cases]
    if len(set(names)) != len(names):
        print("duplicate case names", file=sys.stderr)
        return 2
    if args.only:
        cases = [c for c in cases if args.only in c["name"]]
    run_id = uuid.uuid4().hex[:8]
    try:
        credentials = None
        if args.backend == "aws" and HAVE_BOTOCORE:  # real DynamoDB: the configured credentials
            import botocore.session

            found = botocore.session.get_session().get_credentials()
            credentials = found.get_frozen_credentials() if found else None
        client = Client(args.endpoint, args.region, args.timeout, credentials)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2

    # Fixture tables shared by the cases, created once per run.
    try:
        for step in expand(spec.get("fixtures", []), run_id):
            status, _, text = client.send(full_target(step["target"]), json.dumps(step["request"]))
            if status != 200 and not step.get("allow_error"):
                print(f"fixture {step['target']} failed: {status} {text[:300]}", file=sys.stderr)
                if args.backend != "tributary":
                    return 2
            elif status == 200 and step["target"] == "CreateTable":
                wait_active(client, step["request"]["TableName"])
    except OSError as e:
        print(f"cannot reach {args.endpoint}: {e}", file=sys.stderr)
        return 2

    results = []
    counts = {}
    for case in cases:
        if case.get("pending") and case.get("pending_crashes") and args.backend == "tributary":
            # Sending it would take the server down and fail every later case.
            counts["PENDING-SKIPPED"] = counts.get("PENDING-SKIPPED", 0) + 1
            results.append({"name": case["name"], "target": case.get("target"), "outcome": "PENDING-SKIPPED",
                             "problems": ["not sent: " + case.get("pending_note", "crashes the server")], "status": 0,
                             "response": "", "source": case.get("source"), "moto_note": None, "namespace_only": False})
            continue
        try:
            matched, problems, status, text, namespace_only = run_case(client, case, run_id)
        except OSError as e:
            matched, problems, status, text, namespace_only = False, [f"connection error: {e}"], 0, "", False
        known = bool(case.get("moto_known_difference")) and args.backend == "moto"
        pending = bool(case.get("pending")) and args.backend == "tributary"
        if matched is None:  # setup failed
            outcome = "PENDING-FAIL" if pending else ("KNOWN-DIFF" if known else "FAIL")
        elif pending:
            outcome = "PENDING-PASS" if matched else "PENDING-FAIL"
        elif known:
            outcome = "UNEXPECTED-OK" if matched else "KNOWN-DIFF"
        else:
            outcome = "PASS" if matched else "FAIL"
        counts[outcome] = counts.get(outcome, 0) + 1
        results.append({
            "name": case["name"],
            "target": case.get("target"),
            "outcome": outcome,
            "problems": problems,
            "status": status,
            "response": text[:2000],
            "source": case.get("source"),
            "moto_note": case.get("moto_note") if case.get("moto_known_difference") else None,
            "namespace_only": namespace_only,
        })

    width = max((len(r["name"]) for r in results), default=10)
    print(f"{'case'.ljust(width)}  outcome        detail")
    for r in results:
        detail = "; ".join(r["problems"])[:150] if r["outcome"] != "PASS" else ""
        print(f"{r['name'].ljust(width)}  {r['outcome'].ljust(13)}  {detail}")
        if args.verbose and r["problems"]:
            print(f"{''.ljust(width)}  response: {r['status']} {r['response'][:300]}")
    summary = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"\n{len(results)} cases against {args.endpoint} (backend {args.backend}): {summary}")
    diffs = [r for r in results if r["outcome"] == "KNOWN-DIFF"]
    if diffs:
        ns = sum(1 for r in diffs if r["namespace_only"])
        print(f"backend differences: {len(diffs)} ({ns} only in the ValidationException namespace, "
              f"{len(diffs) - ns} substantive: status, wording, missing checks, 500s)")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({
                "endpoint": args.endpoint,
                "backend": args.backend,
                "total_cases": len(spec["cases"]),
                "ran": len(results),
                "counts": counts,
                "backend_differences": [r["name"] for r in results if r["outcome"] == "KNOWN-DIFF"],
                "substantive_differences": [r["name"] for r in results
                                            if r["outcome"] == "KNOWN-DIFF" and not r["namespace_only"]],
                "results": results,
            }, f, indent=2)
    return 1 if counts.get("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
