"""Harness for the AWS-mode end-to-end tests (tests/e2e/aws/test_*.py).

- TributaryServer (from tests/e2e/dynamodb/harness.py): `tributary up` on a free port, stopped
  by PID.
- MotoServer: `moto_server -H 127.0.0.1 -p 0` (a free port), stopped by PID.
- FaultProxy: a loopback HTTP proxy in front of an endpoint. Tests point Tributary at it and
  switch its mode to inject faults moto cannot produce:
    "pass"      forward everything;
    "refuse"    close the listening socket (connection refused), until set back;
    "throttle"  answer 400 ProvisionedThroughputExceededException (Kinesis / DynamoDB Streams);
    "503"       answer 503 ServiceUnavailable;
    "partial"   Kinesis PutRecords: forward only every other entry, report the rest as
                ProvisionedThroughputExceededException (a real partial failure, HTTP 200).
  A moto_server keeps its state in memory, so "moto stopped and restarted" is played by the
  proxy refusing connections while moto keeps its tables and streams.

BACKEND = "moto" marks the expectations that absorb moto's known quirks (checklist section 7):
one shard, records for no-op writes, a duplicate INSERT for an UpdateItem that creates an item,
tiny Kinesis sequence numbers, region us-east-1. Checks against Tributary's own endpoint use
BACKEND = "tributary" and are never loosened.
"""

import base64
import http.client
import http.server
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dynamodb"))
import harness  # noqa: E402  (TributaryServer, SOURCE_DIR, TRIBUTARY_BIN)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

TributaryServer = harness.TributaryServer
REGION = "us-east-1"
CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, config=Config(retries={"max_attempts": 2}), **CREDS)


def env_for_aws():
    """The environment `tributary up` gets: dummy credentials, no IMDS, no real profile."""
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true"})
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(k, None)
    return env


class MotoServer:
    def __init__(self):
        self.proc = None
        self.port = None

    def start(self):
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        deadline = time.monotonic() + 30
        for line in self.proc.stdout:
            m = re.search(r"Running on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
            if time.monotonic() > deadline:
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("moto_server did not start")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        return self

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self._handle()

    def do_GET(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def _reply(self, status, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self):
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target", "")
        mode = proxy.mode_for(target)
        proxy.count(target, mode)
        if mode == "throttle":
            err = {"__type": "ProvisionedThroughputExceededException", "message": "Rate exceeded (injected)"}
            return self._reply(400, json.dumps(err), [("Content-Type", "application/x-amz-json-1.1"),
                                                      ("x-amzn-ErrorType", "ProvisionedThroughputExceededException")])
        if mode == "503":
            return self._reply(503, json.dumps({"__type": "ServiceUnavailable", "message": "injected"}),
                               [("Content-Type", "application/x-amz-json-1.1")])
        failed_idx = []
        if mode == "partial" and target.endswith("PutRecords"):
            req = json.loads(body)
            keep = [r for i, r in enumerate(req["Records"]) if i % 2 == 0]
            failed_idx = [i for i in range(len(req["Records"])) if i % 2 == 1]
            n = len(req["Records"])
            req["Records"] = keep
            body = json.dumps(req).encode()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            out_headers = [(k, v) for k, v in resp.getheaders()
                           if k.lower() not in ("content-length", "transfer-encoding", "connection", "x-amz-crc32")]
            status = resp.status
        finally:
            conn.close()
        if failed_idx and status == 200:
            got = json.loads(data)["Records"]
            merged, it = [], iter(got)
            for i in range(n):
                if i in failed_idx:
                    merged.append({"ErrorCode": "ProvisionedThroughputExceededException",
                                   "ErrorMessage": "Rate exceeded for shard (injected)"})
                else:
                    merged.append(next(it))
            data = json.dumps({"FailedRecordCount": len(failed_idx), "Records": merged}).encode()
        self._reply(status, data, out_headers)


class _ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FaultProxy:
    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.port = None
        self._server = None
        self._lock = threading.Lock()
        self._mode = "pass"
        self._only = None  # X-Amz-Target substring the mode applies to (None: all)
        self.counts = {}

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self._server = _ThreadingServer(("127.0.0.1", self.port or 0), _ProxyHandler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def set_mode(self, mode, only=None):
        with self._lock:
            if mode == "refuse":
                self.stop()
            elif self._server is None:
                self.start()  # the same port again
            self._mode, self._only = mode, only

    def mode_for(self, target):
        with self._lock:
            if self._only is not None and self._only not in target:
                return "pass"
            return self._mode

    def count(self, target, mode):
        with self._lock:
            key = (target.split(".")[-1] or "other", mode)
            self.counts[key] = self.counts.get(key, 0) + 1


def wait_for(cond, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(interval)
    return cond()


def sql(endpoint, statement):
    """Rows of `statement` through `tributary up`'s POST /api/query, as lists of strings."""
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/api/query", body=json.dumps({"sql": statement}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
    finally:
        conn.close()
    if resp.status != 200:
        raise RuntimeError("query failed: %s" % body)
    return body["rows"]


def write_config(directory, text):
    path = os.path.join(directory, "pipeline.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


class AwsTestCase(unittest.TestCase):
    """A temp directory per test and a list of things to stop in tearDown (reverse order)."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="trib-aws-")
        self.tmp = self._tmp.name
        self._stops = []

    def tearDown(self):
        for stop in reversed(self._stops):
            try:
                stop()
            except Exception:  # keep stopping the rest
                pass
        self._tmp.cleanup()

    def start_tributary(self, config_text, name):
        data_dir = os.path.join(self.tmp, name)
        os.makedirs(data_dir, exist_ok=True)
        config = write_config(data_dir, config_text)
        server = TributaryServer(config, os.path.join(data_dir, "data"))
        old_env = dict(os.environ)
        new_env = env_for_aws()
        os.environ.clear()
        os.environ.update(new_env)
        try:
            server.start()
        finally:
            os.environ.clear()
            os.environ.update(old_env)
        self._stops.append(server.stop)
        return server

    def start_moto(self):
        moto = MotoServer().start()
        self._stops.append(moto.stop)
        return moto

    def start_proxy(self, upstream_port):
        proxy = FaultProxy(upstream_port).start()
        self._stops.append(proxy.stop)
        return proxy
