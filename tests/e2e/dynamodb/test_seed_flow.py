"""The issue's seed flow: examples/generate_sales.py (plain boto3) writes orders to `tributary up`
running the seed pipeline, and the three seed Athena queries, unchanged, show them."""
import json
import os
import re
import subprocess
import sys

import harness


class SeedFlowTest(harness.TributaryTestCase):
    CONFIG = harness.SALES_CONFIG

    def query(self, sql):
        q = self.run_tributary("query", "--data-dir", self.data_dir, "--format", "json", sql)
        self.assertEqual(q.returncode, 0, q.stderr)
        return json.loads(q.stdout)

    def test_generate_sales_then_seed_queries(self):
        self.require_operations("PutItem", "UpdateItem", "DeleteItem")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        gen = subprocess.run(
            [sys.executable, os.path.join(harness.SOURCE_DIR, "examples", "generate_sales.py"),
             "--endpoint", self.endpoint, "--count", "400", "--rate", "0", "--seed", "11", "--quiet"],
            capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(gen.returncode, 0, gen.stdout + gen.stderr)
        m = re.search(r"inserts=(\d+) modifies=(\d+) removes=(\d+)", gen.stdout)
        self.assertIsNotNone(m, gen.stdout)
        inserts, modifies, removes = map(int, m.groups())
        self.assertTrue(inserts and modifies and removes, gen.stdout)
        self.assertEqual(self.server.stop(), 0, self.server_output())  # SIGTERM flushes and commits

        counts = {r["cdc_event_type"]: r["n"] for r in self.query(
            "SELECT cdc_event_type, count(*) AS n FROM p1_kinesis_firehose_destination GROUP BY 1")}
        self.assertEqual(counts, {"INSERT": inserts, "MODIFY": modifies, "REMOVE": removes})
        rows = self.query("SELECT * FROM p1_kinesis_firehose_destination")

        q1 = self.query("SELECT * FROM p1_kinesis_firehose_destination WHERE cdc_event_type = 'MODIFY' "
                        "ORDER BY creation_datetime DESC LIMIT 10")
        self.assertEqual(len(q1), min(10, modifies))
        self.assertTrue(all(r["cdc_event_type"] == "MODIFY" for r in q1))
        newest = max(r["creation_datetime"] for r in rows if r["cdc_event_type"] == "MODIFY")
        self.assertEqual(q1[0]["creation_datetime"], newest)

        q2 = self.query("SELECT COUNT(*) AS n FROM p1_kinesis_firehose_destination "
                        "WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date")
        today = self.query("SELECT CAST(current_date AS VARCHAR) AS d")[0]["d"]
        self.assertEqual(q2[0]["n"], sum(1 for r in rows if r["cdc_event_type"] == "INSERT"
                                         and r["creation_datetime"].startswith(today)))

        q3 = self.query("SELECT * FROM p1_kinesis_firehose_destination "
                        "WHERE price > 300 AND creation_datetime >= now() - interval '10' minute")
        self.assertEqual(len(q3), sum(1 for r in rows if r.get("price") is not None and r["price"] > 300))
        self.assertTrue(q3)


if __name__ == "__main__":
    harness.main()
