"""examples/aws-pipeline.yaml end to end against moto_server: `tributary up` delivers the seed's
changes into an S3 bucket in moto and mirrors the table and its partitions into moto's Glue.

Checked: every generated change is in exactly one final S3 object (by event_id), no staged `_`
object is left, the objects are exactly what Glue's partitions point at, and `tributary status`
shows the Glue sync current. Both processes run on free loopback ports and are stopped by PID.
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
import time
import unittest

import boto3

SOURCE_DIR = os.environ.get("TRIBUTARY_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
TRIBUTARY_BIN = os.environ.get("TRIBUTARY_BIN", os.path.join(SOURCE_DIR, "build", "tributary"))
BUCKET = "tributary-lake"
TABLE = "p1_kinesis_firehose_destination"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc, sig=signal.SIGTERM, timeout=20):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@unittest.skipIf(shutil.which("moto_server") is None, "moto_server is not installed")
class AwsModeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tributary-aws-mode-")
        self.procs = []
        port = free_port()
        self.moto_url = f"http://127.0.0.1:{port}"
        self.moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(self.moto)
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                        AWS_ENDPOINT_URL=self.moto_url, AWS_EC2_METADATA_DISABLED="true")
        kw = dict(endpoint_url=self.moto_url, region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        self.s3 = boto3.client("s3", **kw)
        self.glue = boto3.client("glue", **kw)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.s3.create_bucket(Bucket=BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def tearDown(self):
        for p in reversed(self.procs):
            stop(p)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_tributary(self, config):
        log = open(os.path.join(self.tmp, "up.log"), "w")
        proc = subprocess.Popen([TRIBUTARY_BIN, "up", "-c", config, "--data-dir", os.path.join(self.tmp, "data"),
                                 "--listen", "127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = re.search(r"endpoint (http://127\.0\.0\.1:\d+)", open(log.name).read())
            if m:
                return proc, m.group(1)
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.fail("tributary up did not start: " + open(log.name).read())

    def final_objects(self):
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="lake/"):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def test_delivers_to_s3_and_syncs_glue(self):
        text = open(os.path.join(SOURCE_DIR, "examples", "aws-pipeline.yaml")).read()
        text = re.sub(r"interval_ms: 60000", "interval_ms: 200", text)  # fresh within the test
        config = os.path.join(self.tmp, "aws-pipeline.yaml")
        open(config, "w").write(text)
        proc, endpoint = self.start_tributary(config)

        gen = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "generate_sales.py"),
                              "--endpoint", endpoint, "--count", "300", "--rate", "0", "--seed", "11", "--quiet"],
                             capture_output=True, text=True, env=self.env, timeout=120)
        self.assertEqual(gen.returncode, 0, gen.stdout + gen.stderr)
        total = sum(map(int, re.search(r"inserts=(\d+) modifies=(\d+) removes=(\d+)", gen.stdout).groups()))

        def event_ids():
            ids = []
            for key in self.final_objects():
                if os.path.basename(key).startswith("_"):
                    continue
                body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
                ids += [json.loads(line)["event_id"] for line in body.splitlines() if line]
            return ids

        deadline = time.monotonic() + 60
        ids = []
        while time.monotonic() < deadline:
            ids = event_ids()
            if len(ids) >= total:
                break
            time.sleep(0.2)
        self.assertEqual(len(ids), total)
        self.assertEqual(len(set(ids)), total, "a change is in two objects")

        # Glue: the table points at the bucket; its partitions are exactly the objects' folders.
        deadline = time.monotonic() + 30
        folders = {os.path.dirname(k) + "/" for k in self.final_objects()
                   if k.startswith("lake/" + TABLE + "/")}
        while True:
            try:
                parts = self.glue.get_partitions(DatabaseName="tributary_lake", TableName=TABLE)["Partitions"]
                locations = {p["StorageDescriptor"]["Location"] for p in parts}
                if locations == {f"s3://{BUCKET}/{f}" for f in folders}:
                    break
            except self.glue.exceptions.EntityNotFoundException:
                pass
            if time.monotonic() > deadline:
                self.fail(f"Glue partitions never matched the objects' folders: {folders}")
            time.sleep(0.2)
        table = self.glue.get_table(DatabaseName="tributary_lake", Name=TABLE)["Table"]
        self.assertEqual(table["StorageDescriptor"]["Location"], f"s3://{BUCKET}/lake/{TABLE}/")
        columns = {c["Name"] for c in table["StorageDescriptor"]["Columns"]}
        self.assertTrue({"order_id", "cdc_event_type", "event_id"} <= columns, columns)

        time.sleep(1.2)  # one status.json refresh
        status = subprocess.run([TRIBUTARY_BIN, "status", "--data-dir", os.path.join(self.tmp, "data")],
                                capture_output=True, text=True, env=self.env, timeout=60)
        self.assertIn("glue sync database tributary_lake", status.stdout)
        self.assertIn("pending 0 table(s) 0 partition(s)", status.stdout)

        stop(proc, signal.SIGINT)
        self.assertEqual([k for k in self.final_objects() if os.path.basename(k).startswith("_")], [])


if __name__ == "__main__":
    unittest.main()
