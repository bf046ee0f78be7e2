#!/usr/bin/env python3
"""CTest driver for the DynamoDB conformance suite: starts a backend, runs run_conformance.py
against it and judges the report.

  conformance_ctest.py moto        starts `moto_server` on a free loopback port. Passes when every
                                   case ran, no case failed outside its recorded moto difference,
                                   and moto differs on at least one case (the suite
                                   discriminates: it catches what moto gets wrong).
  conformance_ctest.py tributary   starts `$TRIBUTARY_BIN up -c tests/e2e/dynamodb/empty-pipeline.yaml
                                   --data-dir <tmp> --listen 127.0.0.1:0` and reads the endpoint
                                   it prints ("endpoint http://..."). Passes when every case not
                                   marked "pending" passes.
  conformance_ctest.py generator-moto | generator-tributary
                                   runs examples/generate_sales.py --create-table against the
                                   backend and checks its summary against a Scan of the table.
Environment: TRIBUTARY_BIN, TRIBUTARY_SOURCE_DIR (defaults: build/tributary, the repository),
CONFORMANCE_REPORT (where to write the JSON report; default: a temp file, printed).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TRIBUTARY_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import run_conformance  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    def __init__(self, cmd, env=None):
        self.cmd = cmd
        self.env = env
        self.proc = None
        self.lines = []
        self.endpoint = None
        self._seen = threading.Event()

    def start(self, endpoint_re=None, endpoint=None, timeout=60.0):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=self.env, start_new_session=True)
        threading.Thread(target=self._drain, args=(endpoint_re,), daemon=True).start()
        deadline = time.monotonic() + timeout
        if endpoint is not None:  # poll until it answers HTTP
            self.endpoint = endpoint
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    urllib.request.urlopen(endpoint + "/", timeout=1).read()
                    return
                except urllib.error.HTTPError:
                    return  # any HTTP answer means it is up
                except OSError:
                    time.sleep(0.2)
        else:
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._seen.wait(0.1):
                    return
        raise RuntimeError(f"backend did not come up: {' '.join(self.cmd)}\n" + "".join(self.lines[-40:]))

    def _drain(self, endpoint_re):
        for line in self.proc.stdout:
            self.lines.append(line)
            if endpoint_re is not None and self.endpoint is None:
                m = endpoint_re.search(line)
                if m:
                    self.endpoint = m.group(1).rstrip("/")
                    self._seen.set()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_backend(backend_name, work):
    if backend_name == "moto":
        moto = shutil.which("moto_server")
        if moto is None:
            raise RuntimeError("moto_server not found")
        port = free_port()
        backend = Backend([moto, "-H", "127.0.0.1", "-p", str(port)])
        backend.start(endpoint=f"http://127.0.0.1:{port}")
    else:
        binary = os.environ.get("TRIBUTARY_BIN") or os.path.join(SOURCE_DIR, "build", "tributary")
        config = os.path.join(SOURCE_DIR, "tests", "e2e", "dynamodb", "empty-pipeline.yaml")
        backend = Backend([binary, "up", "-c", config, "--data-dir", os.path.join(work, "data"),
                           "--listen", "127.0.0.1:0"])
        backend.start(endpoint_re=re.compile(r"endpoint (http://\S+)"))
    return backend


def run_generator(backend_name):
    """examples/generate_sales.py against the backend; its summary must match the table."""
    import boto3

    work = tempfile.mkdtemp(prefix=f"generator-{backend_name}-")
    backend = start_backend(backend_name, work)
    try:
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        proc = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "generate_sales.py"),
                               "--endpoint", backend.endpoint, "--create-table", "--count", "300", "--rate", "0",
                               "--seed", "7", "--quiet"], capture_output=True, text=True, env=env, timeout=300)
        print(proc.stdout + proc.stderr)
        m = re.search(r"inserts=(\d+) modifies=(\d+) removes=(\d+) errors=(\d+) total=(\d+)", proc.stdout)
        if proc.returncode != 0 or not m:
            print("FAILED: generator exit code %d" % proc.returncode)
            return 1
        inserts, modifies, removes, errors, total = map(int, m.groups())
        client = boto3.client("dynamodb", endpoint_url=backend.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        items = []
        kwargs = {"TableName": "P1_OrdersRawTable"}
        while True:
            page = client.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        statuses = {}
        for item in items:
            statuses[item["status"]["S"]] = statuses.get(item["status"]["S"], 0) + 1
        problems = []
        if total != 300 or errors:
            problems.append(f"total {total}, errors {errors}")
        if not (inserts and modifies and removes):
            problems.append("expected a mix of inserts, modifies and removes")
        if len(items) != inserts - removes:
            problems.append(f"table holds {len(items)} items, expected inserts - removes = {inserts - removes}")
        if set(statuses) - {"PENDING", "CONFIRMED", "SHIPPED", "DELIVERED"}:
            problems.append(f"unexpected statuses {statuses}")
        print(f"table: {len(items)} items, statuses {statuses}")
        if problems:
            print("FAILED: " + "; ".join(problems))
            return 1
        print("OK")
        return 0
    finally:
        backend.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    modes = ("moto", "tributary", "generator-moto", "generator-tributary")
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1].startswith("generator-"):
        return run_generator(sys.argv[1][len("generator-"):])
    backend_name = sys.argv[1]
    work = tempfile.mkdtemp(prefix=f"conformance-{backend_name}-")
    report_path = os.environ.get("CONFORMANCE_REPORT") or os.path.join(work, "report.json")
    try:
        backend = start_backend(backend_name, work)
        try:
            rc = run_conformance.main(["--endpoint", backend.endpoint, "--backend", backend_name,
                                       "--report", report_path, "-v"])
        finally:
            backend.stop()
        if rc == 2:
            print("runner could not run the suite", file=sys.stderr)
            return 1
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
        print(f"report: {report_path}")
        problems = []
        if report["ran"] != report["total_cases"]:
            problems.append(f"ran {report['ran']} of {report['total_cases']} cases")
        if report["counts"].get("FAIL"):
            problems.append(f"{report['counts']['FAIL']} case(s) failed")
        if backend_name == "moto":
            diffs = report["backend_differences"]
            if not diffs:
                problems.append("moto differs on no case: the suite does not discriminate")
            print(f"moto differences recorded: {len(diffs)} ({len(report['substantive_differences'])} substantive)")
            stale = [r["name"] for r in report["results"] if r["outcome"] == "UNEXPECTED-OK"]
            if stale:
                print(f"note: moto now matches AWS on {len(stale)} case(s) marked as differences: {', '.join(stale)}")
        else:
            ready = [r["name"] for r in report["results"] if r["outcome"] == "PENDING-PASS"]
            if ready:
                print(f"pending cases that pass now (un-pend them): {', '.join(ready)}")
        if problems:
            print("FAILED: " + "; ".join(problems))
            if backend_name == "tributary":
                print("".join(backend.lines[-30:]))
            return 1
        print("OK")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
