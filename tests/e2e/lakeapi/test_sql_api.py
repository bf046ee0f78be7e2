"""POST /api/query over HTTP against `tributary up` running the seed pipeline: JSON columns and rows
that match `tributary query`, limits, and the sandbox: every way out of the lake (COPY, EXPORT,
ATTACH, INSTALL/LOAD, SET, PRAGMA, file readers outside the lake, glob, DDL/DML) is refused with a
clear error, and nothing is written."""
import json
import os

import lake_harness
from lake_harness import SEED_TABLE


def tree(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(os.path.join(d, name))
    return out


class SqlApiTest(lake_harness.LakeTestCase):
    SEED_COUNT = 60

    def post(self, body):
        status, headers, data = self.raw_post(None, body, path="/api/query",
                                              headers={"Content-Type": "application/json"})
        self.assertEqual(headers.get("content-type"), "application/json")
        return status, json.loads(data)

    def test_rows_match_the_cli(self):
        sql = "SELECT cdc_event_type, count(*) AS n, 7 / 2 AS half FROM %s GROUP BY 1 ORDER BY 1" % SEED_TABLE
        status, body = self.post({"sql": sql})
        self.assertEqual(status, 200, body)
        self.assertEqual([c["name"] for c in body["columns"]], ["cdc_event_type", "n", "half"])
        self.assertEqual([c["athena_type"] for c in body["columns"]], ["varchar", "bigint", "integer"])
        self.assertEqual({r[0]: int(r[1]) for r in body["rows"]}, self.generated)
        self.assertEqual({r[2] for r in body["rows"]}, {"3"})
        self.assertEqual(body["row_count"], len(body["rows"]))
        self.assertFalse(body["truncated"])
        self.assertEqual({r["cdc_event_type"]: r["n"] for r in self.sql(sql)}, {r[0]: int(r[1]) for r in body["rows"]})

    def test_qualified_table_names(self):
        want = sum(self.generated.values())
        for name in ('"default"."%s"', "default.%s", "awsdatacatalog.default.%s", '"AwsDataCatalog"."default"."%s"'):
            status, body = self.post({"sql": "SELECT count(*) FROM " + name % SEED_TABLE})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["rows"], [[str(want)]], name)
        status, body = self.post({"sql": "SELECT count(*) FROM nosuchdb.%s" % SEED_TABLE})
        self.assertEqual((status, body["error"]), (400, "query_error"))

    def test_limits_and_bad_requests(self):
        status, body = self.post({"sql": "SELECT * FROM " + SEED_TABLE, "max_rows": 5})
        self.assertEqual(status, 200)
        self.assertEqual(len(body["rows"]), 5)
        self.assertTrue(body["truncated"])
        status, body = self.post({"sql": "SELECT range FROM range(1000000)"})
        self.assertEqual(status, 200)
        self.assertEqual(len(body["rows"]), 10000)  # the server's row cap
        self.assertTrue(body["truncated"])
        self.assertEqual(self.post(b"not json")[0], 400)
        self.assertEqual(self.post({"query": "SELECT 1"})[1]["error"], "bad_request")
        status, body = self.post({"sql": "SELEC 1"})
        self.assertEqual((status, body["error"]), (400, "query_error"))
        self.assertIn("syntax error", body["message"])

    def test_sandbox_vectors(self):
        lake = os.path.join(self.data_dir, "lake")
        before_lake = tree(lake)
        before_dir = set(os.listdir(self.data_dir))
        outside = os.path.join(self.data_dir, "outside.csv")
        vectors = [
            "COPY %s TO '%s/copy.csv'" % (SEED_TABLE, lake),
            "COPY (SELECT 1) TO '%s'" % outside,
            "COPY (SELECT 1) TO '/tmp/tributary-e2e-sandbox.csv'",
            "EXPORT DATABASE '%s/export'" % lake,
            "ATTACH '%s/attached.db' AS a" % lake,
            "ATTACH '%s/catalog.db' AS c (READ_ONLY)" % self.data_dir,
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "SET allowed_directories = ['/']",
            "SET lock_configuration = false",
            "RESET enable_external_access",
            "PRAGMA database_list",
            "PRAGMA enable_profiling",
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_text('/etc/passwd')",
            "SELECT * FROM '/etc/passwd'",
            "SELECT * FROM read_blob('%s/catalog.db')" % self.data_dir,
            "SELECT * FROM glob('/*')",
            "SELECT * FROM glob('%s/*')" % self.data_dir,
            "SELECT * FROM read_json_auto('http://127.0.0.1:%d/health')" % self.port,
            "CREATE TABLE t AS SELECT 1",
            "DROP VIEW " + SEED_TABLE,
            "SELECT 1; COPY (SELECT 1) TO '%s/multi.csv'" % lake,
        ]
        for sql in vectors:
            status, body = self.post({"sql": sql})
            self.assertEqual(status, 400, (sql, body))
            self.assertEqual(body["error"], "query_error", sql)
            self.assertTrue(body["message"], sql)
        self.assertEqual(tree(lake), before_lake)
        self.assertFalse(os.path.exists(outside))
        self.assertFalse(os.path.exists("/tmp/tributary-e2e-sandbox.csv"))
        self.assertEqual(set(os.listdir(self.data_dir)) - before_dir, set())
        # The table is still there and the settings did not move.
        status, body = self.post({"sql": "SELECT count(*) AS n, current_setting('enable_external_access') AS ext "
                                         "FROM " + SEED_TABLE})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rows"], [[str(sum(self.generated.values())), "false"]])


if __name__ == "__main__":
    lake_harness.main()
