"""boto3's glue client against `tributary up` running the seed pipeline: the Data Catalog's read side
(GetDatabases, GetDatabase, GetTables, GetTable, GetPartitions with Expression and paging,
GetPartition) describes exactly what the lake holds."""
import boto3

import lake_harness
from lake_harness import SEED_TABLE


class GlueTest(lake_harness.LakeTestCase):
    SEED_COUNT = 150

    def partitions_by_sql(self):
        rows = self.sql("SELECT year, month, day, hour, count(*) AS n FROM %s GROUP BY ALL ORDER BY ALL" % SEED_TABLE)
        return {(r["year"], r["month"], r["day"], r["hour"]): r["n"] for r in rows}

    def test_databases(self):
        dbs = self.glue.get_databases()["DatabaseList"]
        self.assertEqual([d["Name"] for d in dbs], ["default"])
        self.assertEqual(self.glue.get_database(Name="default")["Database"]["Name"], "default")
        self.assertClientError("EntityNotFoundException", self.glue.get_database, Name="nope")

    def test_tables(self):
        names = [t["Name"] for t in self.glue.get_tables(DatabaseName="default")["TableList"]]
        self.assertIn(SEED_TABLE, names)
        # SQL also shows the change-history views of the CDC table (<table>_current/_history,
        # docs/sql-compatibility.md), which are views over the table, not catalog tables.
        views = [SEED_TABLE + "_current", SEED_TABLE + "_history"]
        self.assertEqual(sorted(names + views), sorted(r["name"] for r in self.sql("SHOW TABLES")))
        self.assertEqual([t["Name"] for t in self.glue.get_tables(DatabaseName="default",
                                                                  Expression="*destination")["TableList"]],
                         [SEED_TABLE])
        self.assertEqual([t["Name"] for t in self.glue.get_tables(DatabaseName="default",
                                                                  Expression="nope|p1_*_errors")["TableList"]],
                         [SEED_TABLE + "_errors"])
        self.assertEqual(self.glue.get_tables(DatabaseName="default", Expression="nomatch*")["TableList"], [])
        self.assertClientError("EntityNotFoundException", self.glue.get_tables, DatabaseName="nope")

    def test_get_table_shape(self):
        t = self.glue.get_table(DatabaseName="default", Name=SEED_TABLE)["Table"]
        self.assertEqual(t["Name"], SEED_TABLE)
        self.assertEqual(t["DatabaseName"], "default")
        self.assertEqual(t["TableType"], "EXTERNAL_TABLE")
        self.assertEqual([k["Name"] for k in t["PartitionKeys"]], ["year", "month", "day", "hour"])
        self.assertTrue(all(k["Type"] == "string" for k in t["PartitionKeys"]))
        self.assertEqual(t["Parameters"]["classification"], "json")
        sd = t["StorageDescriptor"]
        self.assertTrue(sd["Location"].startswith("file://") and sd["Location"].endswith("/" + SEED_TABLE + "/"),
                        sd["Location"])
        self.assertEqual(sd["SerdeInfo"]["SerializationLibrary"], "org.openx.data.jsonserde.JsonSerDe")
        cols = {c["Name"]: c["Type"] for c in sd["Columns"]}
        # The same columns and types as SQL sees (DESCRIBE), partition keys aside.
        described = {r["column_name"]: r["column_type"] for r in self.sql("DESCRIBE " + SEED_TABLE)}
        for name in ("cdc_event_type", "price", "creation_datetime"):
            self.assertIn(name, cols)
            self.assertIn(name, described)
        self.assertEqual(cols["cdc_event_type"], "string")
        self.assertEqual(cols["price"], "double")
        self.assertEqual(int(t["Parameters"]["recordCount"]), sum(self.generated.values()))
        # CreateTime is a datetime (epoch seconds on the wire).
        self.assertGreater(t["CreateTime"].year, 2000)
        self.assertClientError("EntityNotFoundException", self.glue.get_table, DatabaseName="default", Name="nope")

    def test_table_versions(self):
        versions = self.glue.get_table_versions(DatabaseName="default", TableName=SEED_TABLE)["TableVersions"]
        self.assertTrue(versions)
        newest = versions[0]
        current = self.glue.get_table(DatabaseName="default", Name=SEED_TABLE)["Table"]
        self.assertEqual(newest["VersionId"], current["VersionId"])
        self.assertEqual([c["Name"] for c in newest["Table"]["StorageDescriptor"]["Columns"]],
                         [c["Name"] for c in current["StorageDescriptor"]["Columns"]])
        one = self.glue.get_table_version(DatabaseName="default", TableName=SEED_TABLE,
                                          VersionId=newest["VersionId"])["TableVersion"]
        self.assertEqual(one["VersionId"], newest["VersionId"])

    def test_partitions_match_the_lake(self):
        expected = self.partitions_by_sql()
        self.assertTrue(expected)
        parts = self.glue.get_partitions(DatabaseName="default", TableName=SEED_TABLE)["Partitions"]
        got = {tuple(p["Values"]): int(p["Parameters"]["recordCount"]) for p in parts}
        self.assertEqual(got, expected)
        for p in parts:
            self.assertTrue(p["StorageDescriptor"]["Location"].endswith(
                "year=%s/month=%s/day=%s/hour=%s/" % tuple(p["Values"])), p["StorageDescriptor"]["Location"])

        # Paging through the paginator, one per page.
        pages = self.glue.get_paginator("get_partitions").paginate(
            DatabaseName="default", TableName=SEED_TABLE, PaginationConfig={"PageSize": 1})
        paged = [tuple(p["Values"]) for page in pages for p in page["Partitions"]]
        self.assertEqual(sorted(paged), sorted(expected))

        # Expressions: one partition, all but it, ranges, IN, LIKE.
        one = sorted(expected)[0]
        y, m, d, h = one
        cases = {
            "year = '%s' AND month = '%s' AND day = '%s' AND hour = '%s'" % one: {one},
            "NOT (year = '%s' AND month = '%s' AND day = '%s' AND hour = '%s')" % one: set(expected) - {one},
            "hour IN ('%s') AND day = '%s'" % (h, d): {k for k in expected if k[3] == h and k[2] == d},
            "hour BETWEEN '00' AND '%s'" % h: {k for k in expected if k[3] <= h},
            "year LIKE '%s%%'" % y[:2]: set(expected),
            "year > '9999' OR hour < '00'": set(),
        }
        for expression, want in cases.items():
            got = self.glue.get_partitions(DatabaseName="default", TableName=SEED_TABLE,
                                           Expression=expression)["Partitions"]
            self.assertEqual({tuple(p["Values"]) for p in got}, want, expression)

        err = self.assertClientError("InvalidInputException", self.glue.get_partitions, DatabaseName="default",
                                     TableName=SEED_TABLE, Expression="yr = '2024'")
        self.assertIn("unknown partition key 'yr'", err.response["Error"]["Message"])

        p = self.glue.get_partition(DatabaseName="default", TableName=SEED_TABLE, PartitionValues=list(one))
        self.assertEqual(tuple(p["Partition"]["Values"]), one)
        self.assertClientError("EntityNotFoundException", self.glue.get_partition, DatabaseName="default",
                               TableName=SEED_TABLE, PartitionValues=["1999", "01", "01", "00"])

    # moto's Glue returns what was put in, minus what it does not model: CatalogId is absent from
    # its partitions (real Glue returns it), and times lose their milliseconds. Quirks of the
    # reference backend are absorbed here and in the LastAnalyzedTime comparison only.
    MOTO_PARTITION_KEYS_MISSING = {"CatalogId"}

    def test_partition_shape_matches_a_glue_partition_in_moto(self):
        """Our GetPartitions element, fed to moto's Glue as CreatePartition input (botocore checks
        every member against Glue's model), comes back from moto's GetPartitions the same."""
        from moto.server import ThreadedMotoServer
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        try:
            host, port = moto.get_host_and_port()
            ref = boto3.session.Session().client(
                "glue", endpoint_url="http://%s:%d" % (host, port), region_name="us-east-1",
                aws_access_key_id="test", aws_secret_access_key="test")
            ours_table = self.glue.get_table(DatabaseName="default", Name=SEED_TABLE)["Table"]
            ours = self.glue.get_partitions(DatabaseName="default", TableName=SEED_TABLE)["Partitions"][0]
            ref.create_database(DatabaseInput={"Name": "default"})
            ref.create_table(DatabaseName="default", TableInput={
                k: ours_table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters")})
            ref.create_partition(DatabaseName="default", TableName=SEED_TABLE, PartitionInput={
                k: ours[k] for k in ("Values", "StorageDescriptor", "Parameters", "LastAnalyzedTime")})
            theirs = ref.get_partitions(DatabaseName="default", TableName=SEED_TABLE)["Partitions"][0]
        finally:
            moto.stop()
        self.assertEqual(set(ours) - set(theirs), self.MOTO_PARTITION_KEYS_MISSING)
        self.assertEqual(set(theirs) - set(ours), set())
        for key in ("Values", "DatabaseName", "TableName", "StorageDescriptor", "Parameters"):
            self.assertEqual(ours[key], theirs[key], key)
        # moto keeps times to the second (a moto quirk; Glue keeps milliseconds).
        self.assertEqual(ours["LastAnalyzedTime"].replace(microsecond=0), theirs["LastAnalyzedTime"])
        for key in ("classification", "compressionType", "typeOfData", "recordCount", "objectCount", "sizeKey",
                    "averageRecordSize"):
            self.assertIn(key, ours["Parameters"])
            self.assertEqual(ours["StorageDescriptor"]["Parameters"][key], ours["Parameters"][key])


if __name__ == "__main__":
    lake_harness.main()
