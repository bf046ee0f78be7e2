"""DynamoDB Streams through boto3's dynamodbstreams client against `tributary up`.

Creates a table with a stream (boto3 dynamodb), writes items, and reads them back with
list_streams, describe_stream, get_shard_iterator and get_records: record shapes as DynamoDB
emits them (eventVersion 1.1, whole-second ApproximateCreationDateTime, no eventSourceARN), no
record for no-op writes, one INSERT for an UpdateItem that creates, iterator errors.
Skips (saying which) while the DynamoDB operations it needs are not served yet.
"""

import datetime
import json
import os
import subprocess

import harness


class StreamsTest(harness.TributaryTestCase):
    SHARED_SERVER = True

    def setUp(self):
        super().setUp()
        self.require_operations("CreateTable", "DescribeTable", "PutItem", "UpdateItem", "DeleteItem")

    def make_table(self, name, view="NEW_AND_OLD_IMAGES"):
        desc = self.create_table(name, hash_key=("pk", "S"), range_key=("sk", "N"), stream_view_type=view)
        if "LatestStreamArn" not in desc:
            desc = self.dynamodb.describe_table(TableName=name)["Table"]
        return desc["LatestStreamArn"]

    def put(self, table, item):
        return self.dynamodb.put_item(TableName=table, Item=item)

    def read_all(self, arn):
        records = []
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        for shard in desc["Shards"]:
            it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                out = self.streams.get_records(ShardIterator=it)
                records.extend(out["Records"])
                if not out["Records"]:
                    break
                it = out.get("NextShardIterator")
        return records

    def test_list_and_describe(self):
        arn = self.make_table("st_describe")
        streams = self.streams.list_streams(TableName="st_describe")["Streams"]
        self.assertEqual(len(streams), 1)
        self.assertEqual(streams[0]["StreamArn"], arn)
        self.assertEqual(streams[0]["TableName"], "st_describe")
        self.assertTrue(arn.endswith("/stream/" + streams[0]["StreamLabel"]))
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ENABLED")
        self.assertEqual(desc["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertEqual(desc["TableName"], "st_describe")
        self.assertEqual(desc["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertIsInstance(desc["CreationRequestDateTime"], datetime.datetime)
        self.assertGreaterEqual(len(desc["Shards"]), 1)
        shard = desc["Shards"][0]
        self.assertTrue(shard["ShardId"].startswith("shardId-"))
        self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])
        self.assertIn(arn, [s["StreamArn"] for s in self.streams.list_streams()["Streams"]])

    def test_records_shapes_and_no_ops(self):
        arn = self.make_table("st_records")
        self.put("st_records", {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}})
        self.put("st_records", {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}})  # no-op
        self.dynamodb.update_item(TableName="st_records", Key={"pk": {"S": "b"}, "sk": {"N": "2"}},
                                  UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "5"}})
        self.dynamodb.update_item(TableName="st_records", Key={"pk": {"S": "b"}, "sk": {"N": "2"}},
                                  UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "5"}})
        self.put("st_records", {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "y"}})
        self.dynamodb.delete_item(TableName="st_records", Key={"pk": {"S": "b"}, "sk": {"N": "2"}})
        self.dynamodb.delete_item(TableName="st_records", Key={"pk": {"S": "b"}, "sk": {"N": "2"}})  # no-op

        records = self.read_all(arn)
        names = sorted(r["eventName"] for r in records)
        self.assertEqual(names, ["INSERT", "INSERT", "MODIFY", "REMOVE"], records)
        for r in records:
            self.assertEqual(r["eventVersion"], "1.1")
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["awsRegion"], harness.REGION)
            self.assertNotIn("eventSourceARN", r)
            self.assertEqual(len(r["eventID"]), 32)
            d = r["dynamodb"]
            self.assertIsInstance(d["ApproximateCreationDateTime"], datetime.datetime)
            self.assertEqual(d["ApproximateCreationDateTime"].microsecond, 0)
            self.assertEqual(d["StreamViewType"], "NEW_AND_OLD_IMAGES")
            self.assertEqual(len(d["SequenceNumber"]), 21)
            self.assertGreater(d["SizeBytes"], 0)
            if r["eventName"] == "INSERT":
                self.assertIn("NewImage", d)
                self.assertNotIn("OldImage", d)
            elif r["eventName"] == "MODIFY":
                self.assertEqual(d["OldImage"]["v"], {"S": "x"})
                self.assertEqual(d["NewImage"]["v"], {"S": "y"})
            else:
                self.assertNotIn("NewImage", d)
                self.assertEqual(d["OldImage"]["v"], {"N": "5"})
        a = [r for r in records if r["dynamodb"]["Keys"]["pk"] == {"S": "a"}]
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in a]
        self.assertEqual(seqs, sorted(seqs))  # per-item order

    def test_iterator_types_and_errors(self):
        arn = self.make_table("st_iterators")
        self.put("st_iterators", {"pk": {"S": "a"}, "sk": {"N": "1"}})
        self.put("st_iterators", {"pk": {"S": "a"}, "sk": {"N": "2"}})
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        first = self.streams.get_records(ShardIterator=self.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"], Limit=1)
        self.assertEqual(len(first["Records"]), 1)
        seq = first["Records"][0]["dynamodb"]["SequenceNumber"]
        after = self.streams.get_records(ShardIterator=self.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=seq)["ShardIterator"])
        self.assertEqual([r["dynamodb"]["Keys"]["sk"] for r in after["Records"]], [{"N": "2"}])
        at = self.streams.get_records(ShardIterator=self.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=seq)["ShardIterator"])
        self.assertEqual(len(at["Records"]), 2)
        latest = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                 ShardIteratorType="LATEST")["ShardIterator"]
        self.assertEqual(self.streams.get_records(ShardIterator=latest)["Records"], [])
        self.put("st_iterators", {"pk": {"S": "a"}, "sk": {"N": "3"}})
        self.assertEqual(len(self.streams.get_records(ShardIterator=latest)["Records"]), 1)

        err = self.assertClientError("ValidationException", self.streams.get_records,
                                     ShardIterator=arn + "|1|bm90IGFuIGl0ZXJhdG9y")
        self.assertIn("Invalid ShardIterator", str(err))
        self.assertClientError("ResourceNotFoundException", self.streams.describe_stream,
                               StreamArn=arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000")
        self.assertClientError("ResourceNotFoundException", self.streams.get_shard_iterator, StreamArn=arn,
                               ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST")

    def test_update_table_disable_and_reenable(self):
        self.require_operations("UpdateTable")
        arn = self.make_table("st_lifecycle")
        self.put("st_lifecycle", {"pk": {"S": "a"}, "sk": {"N": "1"}})
        self.dynamodb.update_table(TableName="st_lifecycle", StreamSpecification={"StreamEnabled": False})
        self.put("st_lifecycle", {"pk": {"S": "a"}, "sk": {"N": "2"}})  # no stream: no record
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "DISABLED")
        shard = desc["Shards"][0]
        self.assertIn("EndingSequenceNumber", shard["SequenceNumberRange"])
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out = self.streams.get_records(ShardIterator=it)
        self.assertEqual([r["eventName"] for r in out["Records"]], ["INSERT"])
        self.assertNotIn("NextShardIterator", out)  # closed and drained
        self.dynamodb.update_table(TableName="st_lifecycle",
                                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        new_arn = self.dynamodb.describe_table(TableName="st_lifecycle")["Table"]["LatestStreamArn"]
        self.assertNotEqual(new_arn, arn)
        listed = [s["StreamArn"] for s in self.streams.list_streams(TableName="st_lifecycle")["Streams"]]
        self.assertEqual(sorted(listed), sorted([arn, new_arn]))
        self.put("st_lifecycle", {"pk": {"S": "a"}, "sk": {"N": "3"}})
        records = self.read_all(new_arn)
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["dynamodb"]["StreamViewType"], "KEYS_ONLY")
        self.assertNotIn("NewImage", records[0]["dynamodb"])

    def test_aws_cli(self):
        arn = self.make_table("st_cli")
        out = self.aws_cli("dynamodbstreams", "describe-stream", "--stream-arn", arn)
        self.assertEqual(out["StreamDescription"]["StreamArn"], arn)


def read_stream(streams, arn, shard_id):
    """Every record of one shard, through boto3, until the stream has nothing more."""
    out = []
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while it:
        page = streams.get_records(ShardIterator=it, Limit=37)
        out.extend(page["Records"])
        if not page["Records"]:
            break
        it = page.get("NextShardIterator")
    return out


class GeneratedStreamTest(harness.TributaryTestCase):
    """A table declared in the pipeline YAML, filled by `tributary generate` while the server is
    stopped; needs none of the DynamoDB item operations, only the Streams API."""

    CONFIG = os.path.join("tests", "e2e", "dynamodb", "streams-pipeline.yaml")

    def generate(self, count):
        self.server.stop()
        proc = subprocess.run([harness.TRIBUTARY_BIN, "generate", "--data-dir", self.data_dir, "-c",
                               os.path.join(harness.SOURCE_DIR, self.CONFIG), "--count", str(count),
                               "--seed", "7", "--json"], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = json.loads(proc.stdout)
        self.restart_server()
        return report

    def test_generated_changes_read_back_exactly(self):
        report = self.generate(300)
        streams = self.streams.list_streams()["Streams"]
        self.assertEqual([s["TableName"] for s in streams], ["StreamsOrders"])
        arn = streams[0]["StreamArn"]
        self.assertRegex(arn, r"^arn:aws:dynamodb:us-east-1:000000000000:table/StreamsOrders/stream/"
                              r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ENABLED")
        self.assertEqual(desc["KeySchema"], [{"AttributeName": "order_id", "KeyType": "HASH"}])
        self.assertEqual(len(desc["Shards"]), 2)
        page = self.streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
        self.assertEqual(page["LastEvaluatedShardId"], desc["Shards"][0]["ShardId"])

        records = []
        for shard in desc["Shards"]:
            got = read_stream(self.streams, arn, shard["ShardId"])
            seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in got]
            self.assertEqual(seqs, sorted(seqs))
            self.assertEqual(len(set(seqs)), len(seqs))
            if got:
                self.assertEqual(shard["SequenceNumberRange"]["StartingSequenceNumber"],
                                 got[0]["dynamodb"]["SequenceNumber"])
            records.extend(got)
        # One record per real change: exactly the generator's inserts, modifies and removes.
        counts = {name: sum(1 for r in records if r["eventName"] == name) for name in ("INSERT", "MODIFY", "REMOVE")}
        self.assertEqual(counts, {"INSERT": report["inserts"], "MODIFY": report["modifies"],
                                  "REMOVE": report["removes"]})
        for r in records:
            self.assertEqual(r["eventVersion"], "1.1")
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["awsRegion"], "us-east-1")
            self.assertNotIn("eventSourceARN", r)
            self.assertEqual(r["dynamodb"]["ApproximateCreationDateTime"].microsecond, 0)
            self.assertEqual(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        # Per-item order: an item's records are INSERT, MODIFY..., REMOVE in sequence order.
        by_key = {}
        for r in sorted(records, key=lambda r: int(r["dynamodb"]["SequenceNumber"])):
            by_key.setdefault(r["dynamodb"]["Keys"]["order_id"]["S"], []).append(r["eventName"])
        for key, names in by_key.items():
            alive = False
            for name in names:
                self.assertEqual(name == "INSERT", not alive, (key, names))
                alive = name != "REMOVE"

        # The AWS CLI reads the same stream.
        cli = self.aws_cli("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id",
                           desc["Shards"][0]["ShardId"], "--shard-iterator-type", "TRIM_HORIZON")
        got = self.aws_cli("dynamodbstreams", "get-records", "--shard-iterator", cli["ShardIterator"],
                           "--limit", "5")
        self.assertLessEqual(len(got["Records"]), 5)
        self.assertIn("NextShardIterator", got)

    def test_iterator_errors(self):
        arn = self.streams.list_streams(TableName="StreamsOrders")["Streams"][0]["StreamArn"]
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        err = self.assertClientError("ValidationException", self.streams.get_records,
                                     ShardIterator=arn + "|1|bm90IGFuIGl0ZXJhdG9y")
        self.assertIn("Invalid ShardIterator", str(err))
        self.assertClientError("ValidationException", self.streams.get_shard_iterator, StreamArn=arn,
                               ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER")
        self.assertClientError("ResourceNotFoundException", self.streams.describe_stream,
                               StreamArn=arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000")
        self.assertClientError("ResourceNotFoundException", self.streams.list_streams, TableName="NoSuchTable")
        latest = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                 ShardIteratorType="LATEST")["ShardIterator"]
        page = self.streams.get_records(ShardIterator=latest)
        self.assertEqual(page["Records"], [])
        self.assertIn("NextShardIterator", page)


if __name__ == "__main__":
    harness.main()
