#!/usr/bin/env python3
"""Dogfooding: the dynamodb-streams source reads Tributary's OWN local endpoint over HTTP.

`tributary up` A serves a table with a stream; boto3 writes items into it; `tributary up` B runs a
pipeline whose pipe source is {type: dynamodb-streams, endpoint_url: A} and delivers to its lake.
Every change written to A must be in B's lake exactly once (BACKEND = "tributary": no quirks
absorbed), including the changes written while B was stopped.
"""

import aws_harness
from aws_harness import client, sql, wait_for

BACKEND = "tributary"

UPSTREAM = """
region: us-east-1
tables:
  - name: Orders
    hash_key: {name: order_id, type: S}
    stream: {view_type: NEW_AND_OLD_IMAGES, shards: 2}
server: {listen: "127.0.0.1:0"}
"""

DOWNSTREAM = """
region: us-east-1
streams:
  - name: changes
    shards: 2
pipes:
  - name: FromUpstream
    source: {type: dynamodb-streams, table: Orders, endpoint_url: "%s", poll_interval_ms: 20}
    target: stream:changes
deliveries:
  - name: OrdersCopy
    source: stream:changes
    buffering: {interval_ms: 100}
server: {listen: "127.0.0.1:0"}
"""


class DogfoodTest(aws_harness.AwsTestCase):
    def test_second_pipeline_reads_the_first_ones_stream(self):
        upstream = self.start_tributary(UPSTREAM, "upstream")
        ddb = client("dynamodb", upstream.endpoint)
        for i in range(30):
            ddb.put_item(TableName="Orders", Item={"order_id": {"S": "o%02d" % i}, "amount": {"N": str(i)}})
        for i in range(5):
            ddb.update_item(TableName="Orders", Key={"order_id": {"S": "o%02d" % i}},
                            UpdateExpression="SET amount = :a", ExpressionAttributeValues={":a": {"N": "1000"}})
        ddb.delete_item(TableName="Orders", Key={"order_id": {"S": "o29"}})
        # A no-op write: DynamoDB (and Tributary) emit no stream record for it.
        ddb.put_item(TableName="Orders", Item={"order_id": {"S": "o10"}, "amount": {"N": "10"}})

        downstream = self.start_tributary(DOWNSTREAM % upstream.endpoint, "downstream")
        count = "SELECT count(*) FROM orders_copy"
        self.assertTrue(wait_for(lambda: self._count(downstream, count) >= 36, 60), downstream.output())

        # Changes written while the reader is down are picked up after its checkpoint.
        downstream.stop()
        for i in range(30, 40):
            ddb.put_item(TableName="Orders", Item={"order_id": {"S": "o%02d" % i}, "amount": {"N": str(i)}})
        downstream = self.start_tributary(DOWNSTREAM % upstream.endpoint, "downstream")
        self.assertTrue(wait_for(lambda: self._count(downstream, count) >= 46, 60), downstream.output())

        rows = sql(downstream.endpoint, "SELECT cdc_event_type, count(*), count(DISTINCT event_id) "
                                        "FROM orders_copy GROUP BY 1 ORDER BY 1")
        got = {r[0]: (int(r[1]), int(r[2])) for r in rows}
        self.assertEqual(got, {"INSERT": (40, 40), "MODIFY": (5, 5), "REMOVE": (1, 1)})
        amounts = sql(downstream.endpoint, "SELECT amount FROM orders_copy WHERE order_id = 'o03' "
                                           "AND cdc_event_type = 'MODIFY'")
        self.assertEqual([r[0] for r in amounts], ["1000"])

    def test_kinesis_stream_on_the_other_tributary(self):
        """B's stream is a `type: kinesis` stream served by A's Kinesis API (over A's embedded
        log): B's pipe puts into it and B's delivery reads it back."""
        upstream = self.start_tributary(UPSTREAM, "upstream")
        config = DOWNSTREAM.replace("    shards: 2\n", "    shards: 2\n    type: kinesis\n    endpoint_url: \"%s\"\n")
        downstream = self.start_tributary(config % (upstream.endpoint, upstream.endpoint), "downstream")
        ddb = client("dynamodb", upstream.endpoint)
        for i in range(25):
            ddb.put_item(TableName="Orders", Item={"order_id": {"S": "k%02d" % i}, "amount": {"N": str(i)}})
        count = "SELECT count(*) FROM orders_copy"
        self.assertTrue(wait_for(lambda: self._count(downstream, count) >= 25, 60), downstream.output())
        rows = sql(downstream.endpoint, "SELECT count(*), count(DISTINCT event_id) FROM orders_copy")
        self.assertEqual(rows[0], ["25", "25"])
        kinesis = client("kinesis", upstream.endpoint)
        shards = kinesis.list_shards(StreamName="changes")["Shards"]
        self.assertEqual(len(shards), 2)
        total = 0
        for shard in shards:
            it = kinesis.get_shard_iterator(StreamName="changes", ShardId=shard["ShardId"],
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            total += len(kinesis.get_records(ShardIterator=it, Limit=1000)["Records"])
        self.assertEqual(total, 25)

    def _count(self, server, statement):
        try:
            return int(sql(server.endpoint, statement)[0][0])
        except Exception:  # the table appears with the first commit
            return 0


if __name__ == "__main__":
    import unittest
    unittest.main()
