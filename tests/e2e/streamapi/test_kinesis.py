"""boto3's kinesis client against `tributary up`: produce, consume with every iterator type,
routing by MD5, paging, retention and tags, iterator expiry, partial failures of PutRecords,
AWS's validation errors, and a consumer of the pipe's output stream that sees every DynamoDB
change exactly once and in per-item order."""
import base64
import collections
import datetime
import json
import time

import stream_harness as sh


class KinesisProduceConsumeTest(sh.StreamTestCase):
    SHARED_SERVER = True
    ENV = {"TRIBUTARY_KINESIS_ITERATOR_TTL_MS": "1500"}

    def test_produce_and_consume_every_shard(self):
        self.kinesis.create_stream(StreamName="pc", ShardCount=3)
        desc = self.kinesis.describe_stream(StreamName="pc")["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual([s["ShardId"] for s in desc["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                  for s in desc["Shards"]}
        self.assertEqual(ranges["shardId-000000000000"][0], 0)
        self.assertEqual(ranges["shardId-000000000002"][1], 2 ** 128 - 1)

        sent = collections.defaultdict(list)
        for batch in range(3):
            records = [{"Data": ("%d-%d" % (batch, i)).encode() * 10, "PartitionKey": "key-%d" % (i % 17)}
                       for i in range(200)]
            r = self.kinesis.put_records(StreamName="pc", Records=records)
            self.assertEqual(r["FailedRecordCount"], 0)
            for rec, res in zip(records, r["Records"]):
                lo, hi = ranges[res["ShardId"]]
                self.assertTrue(lo <= sh.hash_key(rec["PartitionKey"]) <= hi)  # MD5 routing
                self.assertEqual(len(res["SequenceNumber"]), 56)
                sent[rec["PartitionKey"]].append(rec["Data"])
        single = self.kinesis.put_record(StreamName="pc", Data=b"one", PartitionKey="key-0")
        sent["key-0"].append(b"one")
        self.assertIn(single["ShardId"], ranges)

        got = collections.defaultdict(list)
        for shard, records in sh.read_all_shards(self.kinesis, "pc").items():
            seqs = [int(r["SequenceNumber"]) for r in records]
            self.assertEqual(seqs, sorted(seqs))
            for r in records:
                self.assertIsInstance(r["ApproximateArrivalTimestamp"], datetime.datetime)
                got[r["PartitionKey"]].append(r["Data"])
        self.assertEqual(dict(got), dict(sent))  # everything, once, in per-key order

    def test_iterator_types(self):
        self.kinesis.create_stream(StreamName="it", ShardCount=1)
        shard = "shardId-000000000000"
        seqs = [self.kinesis.put_record(StreamName="it", Data=b"r%d" % i, PartitionKey="k")["SequenceNumber"]
                for i in range(4)]
        data = lambda recs: [r["Data"] for r in recs]  # noqa: E731
        self.assertEqual(data(sh.read_shard(self.kinesis, "it", shard)), [b"r0", b"r1", b"r2", b"r3"])
        self.assertEqual(data(sh.read_shard(self.kinesis, "it", shard, "AT_SEQUENCE_NUMBER",
                                            StartingSequenceNumber=seqs[2])), [b"r2", b"r3"])
        self.assertEqual(data(sh.read_shard(self.kinesis, "it", shard, "AFTER_SEQUENCE_NUMBER",
                                            StartingSequenceNumber=seqs[2])), [b"r3"])
        latest = self.kinesis.get_shard_iterator(StreamName="it", ShardId=shard,
                                                 ShardIteratorType="LATEST")["ShardIterator"]
        empty = self.kinesis.get_records(ShardIterator=latest)
        self.assertEqual(empty["Records"], [])
        self.assertEqual(empty["MillisBehindLatest"], 0)
        time.sleep(1.1)
        boundary = time.time()
        time.sleep(0.05)
        self.kinesis.put_record(StreamName="it", Data=b"r4", PartitionKey="k")
        self.assertEqual(data(self.kinesis.get_records(ShardIterator=empty["NextShardIterator"])["Records"]), [b"r4"])
        self.assertEqual(data(sh.read_shard(self.kinesis, "it", shard, "AT_TIMESTAMP",
                                            Timestamp=datetime.datetime.fromtimestamp(boundary))), [b"r4"])
        page = self.kinesis.get_records(
            ShardIterator=self.kinesis.get_shard_iterator(StreamName="it", ShardId=shard,
                                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"], Limit=2)
        self.assertEqual(data(page["Records"]), [b"r0", b"r1"])
        self.assertGreater(page["MillisBehindLatest"], 0)

    def test_iterators_expire(self):
        self.kinesis.create_stream(StreamName="exp", ShardCount=1)
        it = self.kinesis.get_shard_iterator(StreamName="exp", ShardId="shardId-000000000000",
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        time.sleep(1.7)  # the server runs with TRIBUTARY_KINESIS_ITERATOR_TTL_MS=1500
        err = self.assertClientError("ExpiredIteratorException", self.kinesis.get_records, ShardIterator=it)
        self.assertIn("tolerated delay of 1500 milliseconds", err.response["Error"]["Message"])

    def test_list_shards_retention_tags(self):
        self.kinesis.create_stream(StreamName="meta", ShardCount=4)
        page = self.kinesis.list_shards(StreamName="meta", MaxResults=3)
        self.assertEqual(len(page["Shards"]), 3)
        rest = self.kinesis.list_shards(NextToken=page["NextToken"])
        self.assertEqual([s["ShardId"] for s in rest["Shards"]], ["shardId-000000000003"])
        self.assertNotIn("NextToken", rest)
        self.assertIn("meta", self.kinesis.list_streams()["StreamNames"])
        self.kinesis.increase_stream_retention_period(StreamName="meta", RetentionPeriodHours=72)
        summary = self.kinesis.describe_stream_summary(StreamName="meta")["StreamDescriptionSummary"]
        self.assertEqual(summary["RetentionPeriodHours"], 72)
        self.assertEqual(summary["OpenShardCount"], 4)
        self.assertClientError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                               StreamName="meta", RetentionPeriodHours=12)
        self.kinesis.add_tags_to_stream(StreamName="meta", Tags={"team": "data", "env": "dev"})
        self.kinesis.remove_tags_from_stream(StreamName="meta", TagKeys=["env"])
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName="meta")["Tags"],
                         [{"Key": "team", "Value": "data"}])
        self.kinesis.delete_stream(StreamName="meta")
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream, StreamName="meta")

    def test_validation_errors(self):
        self.kinesis.create_stream(StreamName="val", ShardCount=1)
        self.assertClientError("ResourceInUseException", self.kinesis.create_stream, StreamName="val", ShardCount=1)
        err = self.assertClientError("ValidationException", self.kinesis.put_record, StreamName="val", Data=b"x",
                                     PartitionKey="k" * 257)
        self.assertIn("Member must have length less than or equal to 256", err.response["Error"]["Message"])
        err = self.assertClientError("ValidationException", self.kinesis.put_records, StreamName="val",
                                     Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
        self.assertIn("Member must have length less than or equal to 500", err.response["Error"]["Message"])
        self.assertClientError("InvalidArgumentException", self.kinesis.put_records, StreamName="val",
                               Records=[{"Data": b"x" * (1 << 20), "PartitionKey": "k"}] * 6)
        self.assertClientError("ValidationException", self.kinesis.put_record, StreamName="val",
                               Data=b"x" * ((1 << 20) + 1), PartitionKey="k")
        self.assertClientError("ResourceNotFoundException", self.kinesis.put_record, StreamName="missing",
                               Data=b"x", PartitionKey="k")
        self.assertClientError("InvalidArgumentException", self.kinesis.get_records, ShardIterator="bm90IGl0")
        # Unknown operations of the service are AWS's UnknownOperationException, with JSON 1.1 framing.
        status, headers, body = self.raw_post("Kinesis_20131202.NoSuchOperation", b"{}")
        self.assertEqual(status, 400)
        self.assertIn(b"UnknownOperationException", body)


class KinesisPartialFailureTest(sh.StreamTestCase):
    SHARED_SERVER = True
    ENV = {"TRIBUTARY_KINESIS_SHARD_RECORDS_PER_SECOND": "50"}

    def test_put_records_partial_failure(self):
        self.kinesis.create_stream(StreamName="thr", ShardCount=1)
        records = [{"Data": b"v%d" % i, "PartitionKey": "k%d" % i} for i in range(120)]
        r = self.kinesis.put_records(StreamName="thr", Records=records)
        ok = [x for x in r["Records"] if "SequenceNumber" in x]
        failed = [x for x in r["Records"] if "ErrorCode" in x]
        self.assertEqual(len(r["Records"]), 120)
        self.assertEqual(r["FailedRecordCount"], len(failed))
        self.assertGreaterEqual(len(failed), 70)  # a second boundary may open a fresh budget once
        self.assertTrue(all(x["ErrorCode"] == "ProvisionedThroughputExceededException" for x in failed))
        self.assertTrue(all("Rate exceeded for shard shardId-000000000000 in stream thr" in x["ErrorMessage"]
                            for x in failed))
        stored = sh.read_shard(self.kinesis, "thr", "shardId-000000000000")
        self.assertEqual(len(stored), len(ok))  # failed entries are not written
        # Retrying only the failed entries, as SDK producers do, eventually writes everything.
        pending = [rec for rec, res in zip(records, r["Records"]) if "ErrorCode" in res]
        deadline = time.monotonic() + 20
        while pending and time.monotonic() < deadline:
            time.sleep(0.3)
            rr = self.kinesis.put_records(StreamName="thr", Records=pending)
            pending = [rec for rec, res in zip(pending, rr["Records"]) if "ErrorCode" in res]
        self.assertEqual(pending, [])
        stored = sh.read_shard(self.kinesis, "thr", "shardId-000000000000")
        self.assertEqual(sorted(r["Data"] for r in stored), sorted(rec["Data"] for rec in records))


class PipeOutputConsumerTest(sh.StreamTestCase):
    CONFIG = "tests/e2e/streamapi/pipe-to-stream.yaml"
    STREAM = "KinesisOrdersStream"

    def test_consumer_sees_each_change_once_in_item_order(self):
        items, updates = 12, 6
        for n in range(updates):
            for i in range(items):
                self.dynamodb.put_item(TableName="KinesisOrders",
                                       Item={"order_id": {"S": "o%02d" % i}, "version": {"N": str(n)}})
        self.dynamodb.delete_item(TableName="KinesisOrders", Key={"order_id": {"S": "o00"}})
        expected = items * updates + 1

        def read():
            shards = sh.read_all_shards(self.kinesis, self.STREAM)
            return shards if sum(len(v) for v in shards.values()) >= expected else None
        shards = sh.wait_until(read, timeout_s=30)
        self.assertIsNotNone(shards, "the pipe did not deliver %d records" % expected)
        self.assertEqual(len(shards), 3)
        per_item = collections.defaultdict(list)
        seen_ids = set()
        for shard, records in shards.items():
            for r in records:
                event = json.loads(r["Data"])
                self.assertNotIn(event["eventID"], seen_ids)  # exactly once
                seen_ids.add(event["eventID"])
                key = event["dynamodb"]["Keys"]["order_id"]["S"]
                image = event["dynamodb"].get("NewImage")
                per_item[key].append((event["eventName"], image["version"]["N"] if image else None, shard))
        self.assertEqual(len(seen_ids), expected)
        for i in range(items):
            key = "o%02d" % i
            history = per_item[key]
            self.assertEqual(len({shard for _, _, shard in history}), 1)  # one item, one shard
            want = [("INSERT", "0")] + [("MODIFY", str(n)) for n in range(1, updates)]
            if key == "o00":
                want.append(("REMOVE", None))
            self.assertEqual([(name, v) for name, v, _ in history], want)
        # The pipe's target is part of the configuration: it cannot be deleted through the API.
        self.assertClientError("ResourceInUseException", self.kinesis.delete_stream, StreamName=self.STREAM)


if __name__ == "__main__":
    sh.main()
