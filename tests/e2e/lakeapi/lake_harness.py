"""Shared setup for the Glue / Athena / /api/query end-to-end tests (boto3 against `tributary up`).

Builds on tests/e2e/dynamodb/harness.py (which starts the binary and makes clients). A class that
sets SEED_COUNT gets one `tributary up` running the seed pipeline (examples/sales-pipeline.yaml)
for the whole class, fed by examples/generate_sales.py, and waits until every change generated is
committed to the lake (counted with `tributary query`, an independent path to the same data).

Attributes: glue, athena (boto3 clients), generated ({"INSERT": n, "MODIFY": n, "REMOVE": n}),
plus everything harness.TributaryTestCase offers; helpers sql() (`tributary query` as JSON rows).
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dynamodb"))
import harness  # noqa: E402

SEED_TABLE = "p1_kinesis_firehose_destination"


class LakeTestCase(harness.TributaryTestCase):
    CONFIG = harness.SALES_CONFIG
    SHARED_SERVER = True
    SEED_COUNT = 0  # orders to generate once per class (0: none)
    SEED = 7

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generated = {}
        if cls.SEED_COUNT:
            try:
                cls._seed()
            except Exception:
                cls.tearDownClass()
                raise

    @classmethod
    def _seed(cls):
        server = cls._shared
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        gen = subprocess.run(
            [sys.executable, os.path.join(harness.SOURCE_DIR, "examples", "generate_sales.py"),
             "--endpoint", server.endpoint, "--count", str(cls.SEED_COUNT), "--rate", "0",
             "--seed", str(cls.SEED), "--quiet"],
            capture_output=True, text=True, env=env, timeout=120)
        if gen.returncode != 0:
            raise RuntimeError("generate_sales.py failed: " + gen.stdout + gen.stderr)
        m = re.search(r"inserts=(\d+) modifies=(\d+) removes=(\d+)", gen.stdout)
        if not m:
            raise RuntimeError("unexpected generate_sales.py output: " + gen.stdout)
        cls.generated = dict(zip(("INSERT", "MODIFY", "REMOVE"), map(int, m.groups())))
        want = sum(cls.generated.values())
        deadline = time.monotonic() + 30
        have = -1
        while time.monotonic() < deadline:
            q = subprocess.run([harness.TRIBUTARY_BIN, "query", "--data-dir", server.data_dir, "--format", "json",
                                "SELECT count(*) AS n FROM " + SEED_TABLE], capture_output=True, text=True,
                               timeout=60)
            if q.returncode == 0:
                have = json.loads(q.stdout)[0]["n"]
                if have == want:
                    return
            time.sleep(0.2)
        raise RuntimeError("the lake has %s of %d changes after 30 s:\n%s" % (have, want, server.output()))

    def _use(self, server):
        super()._use(server)
        self.glue = self.client("glue")
        self.athena = self.client("athena")

    def sql(self, statement):
        """`tributary query --format json` on this server's data dir: the rows as dicts."""
        q = self.run_tributary("query", "--data-dir", self.data_dir, "--format", "json", statement)
        self.assertEqual(q.returncode, 0, q.stderr)
        return json.loads(q.stdout)


main = harness.main
