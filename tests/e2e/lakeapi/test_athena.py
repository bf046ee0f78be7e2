"""boto3's athena client against `tributary up` running the seed pipeline: StartQueryExecution,
polling GetQueryExecution, GetQueryResults with paging (header row first), ListQueryExecutions,
BatchGetQueryExecution, StopQueryExecution, errors. Results are checked against the generator's
own counts and against the same SQL run through `tributary query` (a separate process reading the
lake itself)."""
import csv
import io
import os
import time

import lake_harness
from lake_harness import SEED_TABLE

OUTPUT = "s3://athena-test-results/e2e/"
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


class AthenaTest(lake_harness.LakeTestCase):
    SEED_COUNT = 300

    # --- helpers -------------------------------------------------------------------------------

    def start(self, sql, **kwargs):
        kwargs.setdefault("ResultConfiguration", {"OutputLocation": OUTPUT})
        kwargs.setdefault("QueryExecutionContext", {"Database": "default"})
        return self.athena.start_query_execution(QueryString=sql, **kwargs)["QueryExecutionId"]

    def wait(self, qid, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            e = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            if e["Status"]["State"] in TERMINAL:
                return e
            self.assertLess(time.monotonic(), deadline, e)
            time.sleep(0.05)

    def athena_query(self, sql, page_size=1000):
        """Runs sql through Athena; returns (header, column types, rows as lists of str/None)."""
        qid = self.start(sql)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "SUCCEEDED", e["Status"])
        pages = self.athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=qid, PaginationConfig={"PageSize": page_size})
        rows, info = [], None
        for page in pages:
            info = info or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
            rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        header = rows.pop(0)
        self.assertEqual(header, [c["Name"] for c in info])
        return header, [c["Type"] for c in info], rows

    def cli_query(self, sql):
        """The same SQL via `tributary query --format csv`: (header, rows) with NULL as ''."""
        q = self.run_tributary("query", "--data-dir", self.data_dir, "--format", "csv", sql)
        self.assertEqual(q.returncode, 0, q.stderr)
        rows = list(csv.reader(io.StringIO(q.stdout)))
        return rows[0], rows[1:]

    def assertSameAsCli(self, sql, page_size=1000, ordered=True):
        header, types, rows = self.athena_query(sql, page_size)
        cli_header, cli_rows = self.cli_query(sql)
        self.assertEqual(header, cli_header)
        got = [["" if v is None else v for v in r] for r in rows]
        if not ordered:
            got, cli_rows = sorted(got), sorted(cli_rows)
        self.assertEqual(got, cli_rows, sql)
        return header, types, rows

    # --- tests ---------------------------------------------------------------------------------

    def test_seed_queries_with_paging(self):
        total = sum(self.generated.values())
        # Seed query 1 unchanged; orders share creation_datetime, so ties may come in any order:
        # compare the timestamps, then the rows with a tie-breaker added.
        q1 = "SELECT * FROM %s WHERE cdc_event_type = 'MODIFY' ORDER BY creation_datetime DESC" % SEED_TABLE
        h, types, rows = self.athena_query(q1 + " LIMIT 10", page_size=3)
        cli_h, cli_rows = self.cli_query(q1 + " LIMIT 10")
        col = h.index("creation_datetime")
        self.assertEqual([r[col] for r in rows], [r[cli_h.index("creation_datetime")] for r in cli_rows])
        self.assertSameAsCli(q1 + ", event_id LIMIT 10", page_size=3)
        self.assertEqual(len(rows), min(10, self.generated["MODIFY"]))
        self.assertTrue(all(r[h.index("cdc_event_type")] == "MODIFY" for r in rows))
        self.assertEqual(types[h.index("cdc_event_type")], "varchar")
        self.assertEqual(types[h.index("price")], "double")

        h, types, rows = self.athena_query(
            "SELECT COUNT(*) FROM %s WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date"
            % SEED_TABLE)
        self.assertEqual(types, ["bigint"])
        today = self.sql("SELECT CAST(current_date AS VARCHAR) AS d")[0]["d"]
        inserts = self.sql("SELECT creation_datetime FROM %s WHERE cdc_event_type = 'INSERT'" % SEED_TABLE)
        self.assertEqual(int(rows[0][0]), sum(1 for r in inserts if str(r["creation_datetime"]).startswith(today)))

        h, types, rows = self.assertSameAsCli(
            "SELECT * FROM %s WHERE price > 300 AND creation_datetime >= now() - interval '10' minute "
            "ORDER BY event_id" % SEED_TABLE, page_size=7)
        self.assertTrue(rows)
        self.assertTrue(all(float(r[h.index("price")]) > 300 for r in rows))
        self.assertLessEqual(len(rows), total)

    def test_grouping_matches_the_generator(self):
        h, types, rows = self.athena_query(
            "SELECT cdc_event_type, count(*) AS n FROM %s GROUP BY cdc_event_type ORDER BY 1" % SEED_TABLE,
            page_size=2)
        self.assertEqual(h, ["cdc_event_type", "n"])
        self.assertEqual(types, ["varchar", "bigint"])
        self.assertEqual({r[0]: int(r[1]) for r in rows}, self.generated)

    def test_windowing_and_trino_functions(self):
        self.assertSameAsCli(
            "SELECT order_id, cdc_event_type, row_number() OVER (PARTITION BY order_id ORDER BY creation_datetime, "
            "event_id) AS version FROM %s ORDER BY order_id, version" % SEED_TABLE, page_size=50)
        h, types, rows = self.assertSameAsCli(
            "SELECT approx_distinct(order_id) AS orders, count(DISTINCT order_id) AS exact, 7 / 2 AS int_div, "
            "date_parse('2024-05-01 10:11:12', '%Y-%m-%d %H:%i:%s') AS parsed, "
            "from_iso8601_timestamp('2024-05-01T10:11:12Z') AS iso FROM " + SEED_TABLE)
        row = dict(zip(h, rows[0]))
        self.assertEqual(row["int_div"], "3")
        self.assertEqual(types[h.index("int_div")], "integer")
        self.assertEqual(row["parsed"], "2024-05-01 10:11:12.000")
        self.assertEqual(types[h.index("parsed")], "timestamp")
        self.assertTrue(row["iso"].startswith("2024-05-01 10:11:12.000"))
        # HyperLogLog: approximate by design (DuckDB's sketch is coarser than Trino's 2.3%).
        self.assertLessEqual(abs(int(row["orders"]) - int(row["exact"])), 2 + int(row["exact"]) * 15 // 100)

    def test_every_listed_trino_function(self):
        # The functions issue 5 lists, with the values Trino returns (timestamps rendered in UTC).
        h, types, rows = self.assertSameAsCli(
            "SELECT date('2024-05-01') AS d, date(TIMESTAMP '2024-05-01 23:59:59') AS d2, "
            "from_iso8601_timestamp('2024-05-01T10:11:12+02:00') AS iso, "
            "date_parse('01/05/2024 10:11', '%d/%m/%Y %H:%i') AS dp, "
            "format_datetime(TIMESTAMP '2024-05-01 10:11:12', 'yyyy-MM-dd HH:mm') AS fd, "
            "from_unixtime(1714558272) AS fu, to_unixtime(TIMESTAMP '2024-05-01 10:11:12') AS tu, "
            "to_iso8601(TIMESTAMP '2024-05-01 10:11:12.345') AS ti, "
            "json_extract_scalar('{\"a\":{\"b\":\"x\"}}', '$.a.b') AS jes, "
            "json_extract_scalar(json_parse('{\"a\":[1,2]}'), '$.a') AS jes_array, "
            "approx_percentile(x, 0.5) AS ap, approx_distinct(x) AS adist, "
            "regexp_like('order-42', 'r-[0-9]+$') AS rl, cardinality(ARRAY[1, 2, 3]) AS card, "
            "element_at(ARRAY['a', 'b'], 2) AS ea, element_at(MAP(ARRAY['k'], ARRAY['v']), 'k') AS em, "
            "date_add('day', 3, DATE '2024-02-27') AS da, "
            "date_add('month', 1, TIMESTAMP '2024-01-31 10:00:00') AS dm, "
            "date_diff('hour', TIMESTAMP '2024-05-01 10:59:00', TIMESTAMP '2024-05-01 12:01:00') AS dd, "
            "day_of_week(DATE '2024-05-05') AS dow, 7 / 2 AS idiv "
            "FROM (VALUES (1), (2), (3), (4), (5)) AS t(x)")
        row = dict(zip(h, rows[0]))
        self.assertEqual(row["d"], "2024-05-01")
        self.assertEqual(row["d2"], "2024-05-01")
        self.assertTrue(row["iso"].startswith("2024-05-01 08:11:12.000"), row["iso"])
        self.assertEqual(row["dp"], "2024-05-01 10:11:00.000")
        self.assertEqual(row["fd"], "2024-05-01 10:11")
        self.assertTrue(row["fu"].startswith("2024-05-01 10:11:12.000"), row["fu"])
        self.assertEqual(float(row["tu"]), 1714558272.0)
        self.assertTrue(row["ti"].startswith("2024-05-01T10:11:12.345"), row["ti"])
        self.assertEqual((row["jes"], row["jes_array"]), ("x", None))
        self.assertEqual((row["ap"], row["adist"]), ("3", "5"))
        self.assertEqual(row["rl"], "true")
        self.assertEqual((row["card"], row["ea"], row["em"]), ("3", "b", "v"))
        self.assertEqual(row["da"], "2024-03-01")
        self.assertEqual(row["dm"], "2024-02-29 10:00:00.000")
        self.assertEqual((row["dd"], row["dow"], row["idiv"]), ("1", "7", "3"))
        self.assertEqual(types[h.index("d")], "date")
        self.assertEqual(types[h.index("dp")], "timestamp")

    def test_qualified_table_names(self):
        # As Athena users write them, with and without a QueryExecutionContext.
        want = str(sum(self.generated.values()))
        for name, context in [
                ('"default"."%s"' % SEED_TABLE, {"Database": "default"}),
                ("default.%s" % SEED_TABLE, {}),
                ("awsdatacatalog.default.%s" % SEED_TABLE, {"Database": "default", "Catalog": "AwsDataCatalog"}),
                ('"AwsDataCatalog"."default"."%s"' % SEED_TABLE, {"Catalog": "awsdatacatalog"}),
                ("%s" % SEED_TABLE, {"Database": "default", "Catalog": "AwsDataCatalog"})]:
            qid = self.start("SELECT count(*) AS n FROM " + name, QueryExecutionContext=context)
            e = self.wait(qid)
            self.assertEqual(e["Status"]["State"], "SUCCEEDED", (name, e["Status"]))
            rows = self.athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
            self.assertEqual(rows[1]["Data"][0]["VarCharValue"], want, name)
        h, types, rows = self.athena_query(
            "SELECT count(*) FROM awsdatacatalog.default.%s_current c JOIN default.%s t "
            "ON c.order_id = t.order_id AND t.cdc_event_type = 'INSERT'" % (SEED_TABLE, SEED_TABLE))
        self.assertEqual(int(rows[0][0]), self.generated["INSERT"] - self.generated["REMOVE"])
        # The CLI takes the same names.
        self.assertEqual(self.sql('SELECT count(*) AS n FROM "AwsDataCatalog"."default"."%s"' % SEED_TABLE)[0]["n"],
                         int(want))

    def test_history_views(self):
        # Latest state per order, removed orders excluded: every insert minus every remove.
        h, types, rows = self.athena_query("SELECT count(*) AS n FROM %s_current" % SEED_TABLE)
        self.assertEqual(int(rows[0][0]), self.generated["INSERT"] - self.generated["REMOVE"])
        # The trail of changes to one order over time is one query.
        h, types, rows = self.athena_query(
            "SELECT order_id, count(*) AS versions FROM %s_history GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1" % SEED_TABLE)
        order_id, versions = rows[0][0], int(rows[0][1])
        changes = self.sql("SELECT count(*) AS n FROM %s WHERE order_id = '%s'" % (SEED_TABLE, order_id))[0]["n"]
        self.assertEqual(versions, changes)
        self.assertSameAsCli("SELECT * FROM %s_history WHERE order_id = '%s' ORDER BY valid_from" % (SEED_TABLE, order_id))

    def test_execution_shape_and_result_file(self):
        qid = self.start("SELECT cdc_event_type, price FROM %s ORDER BY event_id LIMIT 5" % SEED_TABLE)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "SUCCEEDED")
        self.assertEqual(e["QueryExecutionId"], qid)
        self.assertEqual(e["StatementType"], "DML")
        self.assertEqual(e["WorkGroup"], "primary")
        self.assertEqual(e["ResultConfiguration"]["OutputLocation"], OUTPUT + qid + ".csv")
        stats = e["Statistics"]
        self.assertGreater(stats["DataScannedInBytes"], 0)
        for key in ("EngineExecutionTimeInMillis", "TotalExecutionTimeInMillis", "QueryQueueTimeInMillis"):
            self.assertGreaterEqual(stats[key], 0)
        self.assertLessEqual(e["Status"]["SubmissionDateTime"], e["Status"]["CompletionDateTime"])
        # The CSV behind the output location: header row, every value quoted.
        path = os.path.join(self.data_dir, "s3", "athena-test-results", "e2e", qid + ".csv")
        with open(path, newline="") as f:
            text = f.read()
        lines = text.splitlines()
        self.assertEqual(lines[0], '"cdc_event_type","price"')
        self.assertEqual(len(lines), 6)
        self.assertTrue(all(line.startswith('"') for line in lines[1:]))
        cli_header, cli_rows = self.cli_query("SELECT cdc_event_type, price FROM %s ORDER BY event_id LIMIT 5"
                                              % SEED_TABLE)
        self.assertEqual(list(csv.reader(io.StringIO(text)))[1:], cli_rows)

        listed = self.athena.list_query_executions()["QueryExecutionIds"]
        self.assertEqual(listed[0], qid)
        batch = self.athena.batch_get_query_execution(QueryExecutionIds=[qid, "missing-id"])
        self.assertEqual([x["QueryExecutionId"] for x in batch["QueryExecutions"]], [qid])
        self.assertEqual(batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"], "missing-id")
        self.assertEqual(self.athena.get_work_group(WorkGroup="primary")["WorkGroup"]["State"], "ENABLED")

    def test_list_paging(self):
        ids = [self.start("SELECT %d AS x" % i) for i in range(4)]
        for qid in ids:
            self.wait(qid)
        pages = self.athena.get_paginator("list_query_executions").paginate(PaginationConfig={"PageSize": 2})
        listed = [q for page in pages for q in page["QueryExecutionIds"]]
        self.assertEqual(listed[:4], ids[::-1])
        self.assertEqual(len(listed), len(set(listed)))

    def test_stop_long_query(self):
        qid = self.start("SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1")
        time.sleep(0.3)
        start = time.monotonic()
        self.athena.stop_query_execution(QueryExecutionId=qid)
        e = self.wait(qid, timeout=20)
        self.assertEqual(e["Status"]["State"], "CANCELLED")
        self.assertLess(time.monotonic() - start, 10)
        err = self.assertClientError("InvalidRequestException", self.athena.get_query_results, QueryExecutionId=qid)
        self.assertIn("CANCELLED", err.response["Error"]["Message"])

    def test_errors(self):
        qid = self.start("SELECT no_such_column FROM " + SEED_TABLE)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "FAILED")
        self.assertIn("no_such_column", e["Status"]["StateChangeReason"])
        self.assertEqual(e["Status"]["AthenaError"]["ErrorCategory"], 2)
        self.assertClientError("InvalidRequestException", self.athena.get_query_results, QueryExecutionId=qid)

        qid = self.start("COPY %s TO 'out.csv'" % SEED_TABLE)
        e = self.wait(qid)
        self.assertEqual(e["Status"]["State"], "FAILED")
        self.assertIn("not allowed", e["Status"]["StateChangeReason"])

        self.assertClientError("InvalidRequestException", self.athena.get_query_execution,
                               QueryExecutionId="00000000-0000-4000-8000-000000000000")
        self.assertClientError("InvalidRequestException", self.start, "SELECT 1",
                               ResultConfiguration={"OutputLocation": "s3://bucket/../../etc/"})
        self.assertClientError("InvalidRequestException", self.start, "SELECT 1", WorkGroup="nope")
        ok = self.start("SELECT 1")
        self.wait(ok)
        self.assertClientError("InvalidRequestException", self.athena.get_query_results, QueryExecutionId=ok,
                               NextToken="bm90LWEtdG9rZW4=")


class AthenaSignedTest(lake_harness.LakeTestCase):
    """With --access-key-id the endpoint checks SigV4 for athena and glue too."""
    CREDENTIALS = ("AKIDLAKETEST", "lake-test-secret")

    def test_signed_requests(self):
        qid = self.athena.start_query_execution(QueryString="SELECT 1 AS one")["QueryExecutionId"]
        for _ in range(200):
            state = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
            if state in TERMINAL:
                break
            time.sleep(0.05)
        self.assertEqual(state, "SUCCEEDED")
        self.assertEqual(self.glue.get_databases()["DatabaseList"][0]["Name"], "default")
        wrong = self.client("athena", credentials=("AKIDLAKETEST", "wrong-secret"))
        self.assertClientError("InvalidSignatureException", wrong.list_query_executions)
        self.assertClientError("InvalidSignatureException", wrong.start_query_execution, QueryString="SELECT 1")
        wrong_glue = self.client("glue", credentials=("AKIDLAKETEST", "wrong-secret"))
        self.assertClientError("InvalidSignatureException", wrong_glue.get_databases)
        self.assertClientError("InvalidSignatureException", wrong_glue.get_partitions,
                               DatabaseName="default", TableName=SEED_TABLE)
        unknown = self.client("glue", credentials=("AKIDSOMEONEELSE", "lake-test-secret"))
        self.assertClientError("UnrecognizedClientException", unknown.get_tables, DatabaseName="default")


if __name__ == "__main__":
    lake_harness.main()
