"""Shared pieces of the Kinesis / Firehose end-to-end tests: the DynamoDB e2e harness (one
`tributary up` per test or class on a free port, stopped by PID) plus boto3 kinesis helpers."""
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dynamodb"))

import harness  # noqa: E402

main = harness.main
SOURCE_DIR = harness.SOURCE_DIR


def hash_key(partition_key):
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")


def read_shard(kinesis, stream, shard_id, iterator_type="TRIM_HORIZON", **kwargs):
    """Every record of one shard from the given position until a GetRecords call returns none."""
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType=iterator_type,
                                    **kwargs)["ShardIterator"]
    out = []
    while it:
        r = kinesis.get_records(ShardIterator=it, Limit=1000)
        out.extend(r["Records"])
        if not r["Records"]:
            break
        it = r.get("NextShardIterator")
    return out


def read_all_shards(kinesis, stream):
    """{shard_id: [records]} for every shard, from TRIM_HORIZON."""
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    return {s["ShardId"]: read_shard(kinesis, stream, s["ShardId"]) for s in shards}


def wait_until(predicate, timeout_s=30, interval_s=0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


class StreamTestCase(harness.TributaryTestCase):
    """TributaryTestCase plus a kinesis client; ENV (a dict) is set in the server's environment."""
    ENV = {}

    @staticmethod
    def _start_new(owner):
        saved = {k: os.environ.get(k) for k in owner.ENV}
        os.environ.update(owner.ENV)
        try:
            return harness.TributaryTestCase._start_new(owner)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def _use(self, server):
        super()._use(server)
        self.kinesis = self.client("kinesis")
        self.firehose = self.client("firehose")
