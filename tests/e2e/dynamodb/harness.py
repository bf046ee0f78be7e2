"""Harness for end-to-end tests of the DynamoDB / DynamoDB Streams endpoint with real clients.

A test module does:

    import harness

    class PutGetTest(harness.TributaryTestCase):
        def test_put_get(self):
            self.dynamodb.create_table(...)
            ...

    if __name__ == "__main__":
        harness.main()

Each test gets its own `tributary up -c <CONFIG> --data-dir <tmp> --listen 127.0.0.1:0` process
(fresh data directory), started in setUp and stopped by PID in tearDown (SIGTERM, then SIGKILL
after STOP_TIMEOUT_S). Set SHARED_SERVER = True on a class to start one process per class instead
(setUpClass / tearDownClass), which is faster when tests use distinct table names.

Class attributes a test class may override:
    CONFIG          config path, relative to the source dir (default: the empty pipeline)
    EXTRA_ARGS      more arguments for `tributary up`
    CREDENTIALS     (access_key_id, secret_access_key): the server verifies SigV4 with them and the
                    clients sign with them; None (default): the server accepts any credentials
    SHARED_SERVER   one process per class instead of per test

Attributes available in tests: endpoint ("http://127.0.0.1:PORT"), host, port, data_dir,
dynamodb and streams (boto3 clients), server (the running TributaryServer), plus helpers
client(), raw_post(), aws_cli(), run_tributary(), restart_server(), server_output(),
create_table(), has_operation()/require_operations() and assertClientError().

Environment: TRIBUTARY_BIN (the binary; default <source>/build/tributary) and
TRIBUTARY_SOURCE_DIR (default: three folders up from this file). CTest sets both.
Run one module by hand:  python3 tests/e2e/dynamodb/test_protocol.py -v
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import boto3
from botocore.config import Config

SOURCE_DIR = os.environ.get(
    "TRIBUTARY_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
TRIBUTARY_BIN = os.environ.get("TRIBUTARY_BIN", os.path.join(SOURCE_DIR, "build", "tributary"))
EMPTY_CONFIG = os.path.join("tests", "e2e", "dynamodb", "empty-pipeline.yaml")
SALES_CONFIG = os.path.join("examples", "sales-pipeline.yaml")

DUMMY_CREDENTIALS = ("AKIDTRIBUTARYTEST", "tributary-test-secret")
REGION = "us-east-1"
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15

_ENDPOINT_RE = re.compile(r"endpoint (http://\S+)")


class TributaryServer:
    """One `tributary up` process. Its output is collected (see output()) so the pipe never fills."""

    def __init__(self, config, data_dir, extra_args=(), credentials=None):
        self.config = config if os.path.isabs(config) else os.path.join(SOURCE_DIR, config)
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.credentials = credentials
        self.proc = None
        self.endpoint = None
        self._lines = []
        self._lock = threading.Lock()
        self._endpoint_seen = threading.Event()

    def start(self):
        cmd = [TRIBUTARY_BIN, "up", "-c", self.config, "--data-dir", self.data_dir,
               "--listen", "127.0.0.1:0"] + self.extra_args
        if self.credentials:
            cmd += ["--access-key-id", self.credentials[0], "--secret-access-key", self.credentials[1]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     bufsize=1)
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._endpoint_seen.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("tributary up did not print its endpoint (exit code %s):\n%s\ncommand: %s"
                                   % (self.proc.returncode, self.output(), " ".join(cmd)))
        return self

    def _drain(self):
        for line in self.proc.stdout:
            with self._lock:
                self._lines.append(line)
            if self.endpoint is None:
                m = _ENDPOINT_RE.search(line)
                if m:
                    self.endpoint = m.group(1).rstrip("/")
                    self._endpoint_seen.set()

    def output(self):
        with self._lock:
            return "".join(self._lines)

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_output()
        return self.proc.returncode

    def kill(self):
        """SIGKILL (a crash) and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_output()

    def _close_output(self):
        self._drainer.join(5)
        if not self._drainer.is_alive():
            self.proc.stdout.close()


class TributaryTestCase(unittest.TestCase):
    CONFIG = EMPTY_CONFIG
    EXTRA_ARGS = ()
    CREDENTIALS = None
    SHARED_SERVER = False

    # --- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._shared = None
        if cls.SHARED_SERVER:
            cls._shared = cls._start_new(cls)

    @classmethod
    def tearDownClass(cls):
        if cls._shared is not None:
            cls._stop_and_clean(cls._shared)
            cls._shared = None
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        if self._shared is not None:
            self._use(self._shared)
        else:
            self._use(self._start_new(self))
            self.addCleanup(lambda: self._stop_and_clean(self.server))  # the latest, after restarts

    @staticmethod
    def _start_new(owner):
        data_dir = tempfile.mkdtemp(prefix="tributary-e2e-")
        server = TributaryServer(owner.CONFIG, data_dir, owner.EXTRA_ARGS, owner.CREDENTIALS)
        try:
            return server.start()
        except Exception:
            shutil.rmtree(data_dir, ignore_errors=True)
            raise

    @staticmethod
    def _stop_and_clean(server):
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)

    def _use(self, server):
        self.server = server
        self.endpoint = server.endpoint
        m = re.match(r"http://\[?([^\]]+?)\]?:(\d+)$", server.endpoint)
        self.host, self.port = m.group(1), int(m.group(2))
        self.data_dir = server.data_dir
        self.dynamodb = self.client("dynamodb")
        self.streams = self.client("dynamodbstreams")

    def restart_server(self, kill=False):
        """Stops (or kills) the server and starts a new one on the same data directory; the port
        changes. Not for SHARED_SERVER classes."""
        old = self.server
        if kill:
            old.kill()
        else:
            old.stop()
        new = TributaryServer(old.config, old.data_dir, old.extra_args, old.credentials).start()
        self._use(new)
        return new

    def server_output(self):
        return self.server.output()

    # --- clients -------------------------------------------------------------------------------

    def client(self, service, credentials=None, retries=0, **config):
        """A boto3 client for the endpoint; credentials default to the class's CREDENTIALS or
        dummy ones. retries=0: a failing call fails the test at once."""
        key, secret = credentials or self.CREDENTIALS or DUMMY_CREDENTIALS
        cfg = Config(retries={"max_attempts": retries, "mode": "legacy"}, **config)
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, config=cfg)

    def raw_post(self, target, body, headers=None, conn=None, path="/"):
        """One unsigned POST; returns (status, headers dict with lower-case names, body bytes).
        target None: no X-Amz-Target. body: bytes, str or a JSON-able object. Pass conn (an
        http.client.HTTPConnection) to reuse a connection."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        h = {"Content-Type": "application/x-amz-json-1.0"}
        if target is not None:
            h["X-Amz-Target"] = target
        h.update(headers or {})
        own = conn is None
        conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            if own:
                conn.close()

    def aws_cli(self, *args, check=True):
        """Runs `aws <args> --endpoint-url <endpoint> --output json` with the test credentials;
        returns the parsed JSON output (or None when empty)."""
        key, secret = self.CREDENTIALS or DUMMY_CREDENTIALS
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
                   AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        env.pop("AWS_PROFILE", None)
        proc = subprocess.run(["aws", *args, "--endpoint-url", self.endpoint, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            self.fail("aws %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
        if not check:
            return proc
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def run_tributary(self, *args, timeout=120):
        """Runs `$TRIBUTARY_BIN <args>` (e.g. "query", SQL, "--data-dir", self.data_dir); returns the
        CompletedProcess (stdout and stderr as text)."""
        return subprocess.run([TRIBUTARY_BIN, *args], capture_output=True, text=True, timeout=timeout)

    # --- common setup --------------------------------------------------------------------------

    def create_table(self, name, hash_key=("pk", "S"), range_key=None, stream_view_type=None, **extra):
        """CreateTable (PAY_PER_REQUEST) and returns the TableDescription."""
        schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
        if range_key:
            schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
            attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        kwargs = dict(TableName=name, KeySchema=schema, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST")
        if stream_view_type:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream_view_type}
        kwargs.update(extra)
        return self.dynamodb.create_table(**kwargs)["TableDescription"]

    def has_operation(self, target):
        """Whether the endpoint serves this X-Amz-Target (e.g. "DynamoDB_20120810.PutItem"): probes
        with an empty body, which no operation accepts, so nothing changes."""
        status, _, body = self.raw_post(target, b"{}")  # the server checks the target before SigV4
        return not (status == 400 and b"UnknownOperationException" in body)

    def require_operations(self, *names):
        """Skips the test unless every named DynamoDB operation ("PutItem") or full target is served."""
        missing = [n for n in names if not self.has_operation(n if "." in n else "DynamoDB_20120810." + n)]
        if missing:
            self.skipTest("not served yet: " + ", ".join(missing))

    def assertClientError(self, code, fn, *args, **kwargs):
        """Calls fn and asserts it raises botocore ClientError with this error code; returns it."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception


def main():
    unittest.main(verbosity=2)
