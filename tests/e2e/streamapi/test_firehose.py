"""boto3's firehose client against `tributary up`: DirectPut records land in the lake through the
delivery machinery and are queryable with SQL; delivery streams created through the API survive a
restart; a KinesisStreamAsSource delivery reads a Kinesis stream; per-entry failures of
PutRecordBatch; AWS's validation errors."""
import json
import time

import stream_harness as sh

DEST = {
    "RoleARN": "arn:aws:iam::000000000000:role/firehose",
    "BucketARN": "arn:aws:s3:::lake",
    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
}


class FirehoseTest(sh.StreamTestCase):

    def sql(self, query):
        status, _, data = self.raw_post(None, {"sql": query}, path="/api/query",
                                        headers={"Content-Type": "application/json"})
        body = json.loads(data)
        return status, body

    def wait_rows(self, query, want, timeout_s=30):
        """Polls the SQL endpoint until `query`'s first value is `want`; returns the last value."""
        last = None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status, body = self.sql(query)
            if status == 200 and body["rows"]:
                last = body["rows"][0][0]
                if last == want:
                    return last
            time.sleep(0.2)
        return last

    def test_direct_put_lands_in_lake_and_survives_restart(self):
        arn = self.firehose.create_delivery_stream(
            DeliveryStreamName="clicks", DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=DEST)["DeliveryStreamARN"]
        self.assertEqual(arn, "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks")
        self.assertClientError("ResourceInUseException", self.firehose.create_delivery_stream,
                               DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=DEST)
        desc = self.firehose.describe_delivery_stream(DeliveryStreamName="clicks")["DeliveryStreamDescription"]
        self.assertEqual(desc["DeliveryStreamStatus"], "ACTIVE")
        self.assertEqual(desc["DeliveryStreamType"], "DirectPut")
        self.assertEqual(desc["Destinations"][0]["ExtendedS3DestinationDescription"]["BucketARN"], "arn:aws:s3:::lake")
        self.assertIn("clicks", self.firehose.list_delivery_streams()["DeliveryStreamNames"])

        records = [{"Data": json.dumps({"user": "u%d" % (i % 7), "n": i}).encode()} for i in range(300)]
        r = self.firehose.put_record_batch(DeliveryStreamName="clicks", Records=records)
        self.assertEqual(r["FailedPutCount"], 0)
        self.assertEqual(len(r["RequestResponses"]), 300)
        self.assertTrue(all("RecordId" in x for x in r["RequestResponses"]))
        one = self.firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b'{"user":"solo","n":1000}'})
        self.assertIn("RecordId", one)
        self.assertEqual(self.wait_rows("SELECT count(*) FROM clicks", "301"), "301")
        status, body = self.sql("SELECT sum(n) FROM clicks WHERE user = 'solo'")
        self.assertEqual((status, body["rows"]), (200, [["1000"]]))

        # The definition is persisted: after a restart the stream exists and keeps delivering.
        self.restart_server()
        self.firehose.describe_delivery_stream(DeliveryStreamName="clicks")
        self.firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b'{"user":"after","n":1}'})
        self.assertEqual(self.wait_rows("SELECT count(*) FROM clicks", "302"), "302")

        self.assertClientError("ResourceInUseException", self.kinesis.delete_stream, StreamName="_firehose.clicks")
        self.firehose.delete_delivery_stream(DeliveryStreamName="clicks")
        self.assertClientError("ResourceNotFoundException", self.firehose.describe_delivery_stream,
                               DeliveryStreamName="clicks")
        self.assertClientError("ResourceNotFoundException", self.firehose.put_record,
                               DeliveryStreamName="clicks", Record={"Data": b"{}"})
        self.restart_server()
        self.assertNotIn("clicks", self.firehose.list_delivery_streams()["DeliveryStreamNames"])
        self.assertEqual(self.wait_rows("SELECT count(*) FROM clicks", "302"), "302")  # the data stays

    def test_kinesis_source_and_processors(self):
        self.kinesis.create_stream(StreamName="events", ShardCount=2)
        self.firehose.create_delivery_stream(
            DeliveryStreamName="events-fh", DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/events",
                "RoleARN": "arn:aws:iam::000000000000:role/firehose"},
            ExtendedS3DestinationConfiguration=dict(DEST, ProcessingConfiguration={
                "Enabled": True,
                "Processors": [{"Type": "AppendDelimiterToRecord", "Parameters": []}]}))
        desc = self.firehose.describe_delivery_stream(DeliveryStreamName="events-fh")["DeliveryStreamDescription"]
        self.assertEqual(desc["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"],
                         "arn:aws:kinesis:us-east-1:000000000000:stream/events")
        err = self.assertClientError("InvalidArgumentException", self.firehose.put_record,
                                     DeliveryStreamName="events-fh", Record={"Data": b"{}"})
        self.assertIn("KinesisStreamAsSource", err.response["Error"]["Message"])
        self.kinesis.put_records(StreamName="events", Records=[
            {"Data": json.dumps({"k": i}).encode(), "PartitionKey": str(i)} for i in range(40)])
        self.assertEqual(self.wait_rows("SELECT count(*) FROM events_fh", "40"), "40")
        # The stream stays while a delivery stream reads it.
        self.assertClientError("ResourceInUseException", self.kinesis.delete_stream, StreamName="events")
        self.firehose.delete_delivery_stream(DeliveryStreamName="events-fh")
        self.kinesis.delete_stream(StreamName="events")
        self.assertClientError("InvalidArgumentException", self.firehose.create_delivery_stream,
                               DeliveryStreamName="nosource", DeliveryStreamType="KinesisStreamAsSource",
                               KinesisStreamSourceConfiguration={
                                   "KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/missing",
                                   "RoleARN": "arn:aws:iam::000000000000:role/firehose"},
                               ExtendedS3DestinationConfiguration=DEST)

    def test_validation(self):
        self.firehose.create_delivery_stream(DeliveryStreamName="v", ExtendedS3DestinationConfiguration=DEST)
        err = self.assertClientError("ValidationException", self.firehose.put_record_batch, DeliveryStreamName="v",
                                     Records=[{"Data": b"{}"}] * 501)
        self.assertIn("Member must have length less than or equal to 500", err.response["Error"]["Message"])
        self.assertClientError("InvalidArgumentException", self.firehose.put_record_batch, DeliveryStreamName="v",
                               Records=[{"Data": b"x" * 1000000}] * 5)
        self.assertClientError("ValidationException", self.firehose.put_record, DeliveryStreamName="v",
                               Record={"Data": b"x" * (1024000 + 1)})
        self.assertClientError("InvalidArgumentException", self.firehose.create_delivery_stream,
                               DeliveryStreamName="badhints",
                               ExtendedS3DestinationConfiguration=dict(DEST, BufferingHints={"SizeInMBs": 1}))
        self.assertClientError("InvalidArgumentException", self.firehose.create_delivery_stream,
                               DeliveryStreamName="badbucket",
                               ExtendedS3DestinationConfiguration=dict(DEST, BucketARN="lake"))
        self.assertClientError("ResourceNotFoundException", self.firehose.delete_delivery_stream,
                               DeliveryStreamName="nope")


class FirehosePartialFailureTest(sh.StreamTestCase):
    ENV = {"TRIBUTARY_FIREHOSE_RECORDS_PER_SECOND": "100"}

    def test_put_record_batch_partial_failure(self):
        self.firehose.create_delivery_stream(DeliveryStreamName="slow", ExtendedS3DestinationConfiguration=DEST)
        records = [{"Data": json.dumps({"i": i}).encode()} for i in range(250)]
        r = self.firehose.put_record_batch(DeliveryStreamName="slow", Records=records)
        failed = [x for x in r["RequestResponses"] if "ErrorCode" in x]
        self.assertEqual(r["FailedPutCount"], len(failed))
        self.assertGreaterEqual(len(failed), 50)
        self.assertTrue(all(x["ErrorCode"] == "ServiceUnavailableException" and x["ErrorMessage"] == "Slow down."
                            for x in failed))
        pending = [rec for rec, res in zip(records, r["RequestResponses"]) if "ErrorCode" in res]
        deadline = time.monotonic() + 20
        while pending and time.monotonic() < deadline:
            time.sleep(0.3)
            rr = self.firehose.put_record_batch(DeliveryStreamName="slow", Records=pending)
            pending = [rec for rec, res in zip(pending, rr["RequestResponses"]) if "ErrorCode" in res]
        self.assertEqual(pending, [])
        status, _, data = self.raw_post(None, {"sql": "SELECT count(*), count(DISTINCT i) FROM slow"},
                                        path="/api/query", headers={"Content-Type": "application/json"})
        deadline = time.monotonic() + 30
        while json.loads(data).get("rows") != [["250", "250"]] and time.monotonic() < deadline:
            time.sleep(0.2)
            status, _, data = self.raw_post(None, {"sql": "SELECT count(*), count(DISTINCT i) FROM slow"},
                                            path="/api/query", headers={"Content-Type": "application/json"})
        self.assertEqual(json.loads(data)["rows"], [["250", "250"]])  # every record once


if __name__ == "__main__":
    sh.main()
