"""Alert rules end to end: the real `tributary up`, writes through boto3, a webhook receiver on a
free loopback port, kill -9 and restart, and SNS through a moto_server this test starts.

- test_webhook_exactly_once_across_kills: orders written in rounds, `tributary up` killed with
  SIGKILL after each round (TRIBUTARY_ALERT_KILLS, default 6) and restarted on the same data
  directory. The receiver must get every matching change (INSERT with price > 1000), nothing
  else, once each by Idempotency-Key. Its first answers are 503s, so sends are retried too.
- test_sns_publish_reaches_an_sqs_subscription: the sns action against moto_server; the messages
  arrive in an SQS queue subscribed to the topic.
- test_bad_predicate_is_a_located_config_error.

Run by hand: python3 tests/e2e/alerts/test_alerts.py -v   (TRIBUTARY_BIN, TRIBUTARY_SOURCE_DIR)
"""

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dynamodb"))
import harness  # noqa: E402

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

KILLS = int(os.environ.get("TRIBUTARY_ALERT_KILLS", "6"))

PIPELINE = """
region: us-east-1
tables:
  - name: Orders
    hash_key: {name: order_id, type: S}
    stream: {shards: 2}
streams:
  - {name: OrdersStream, shards: 2}
pipes:
  - {name: OrdersPipe, source: table:Orders, target: stream:OrdersStream}
deliveries:
  - name: OrdersFirehose
    source: stream:OrdersStream
    buffering: {interval_ms: 100}
    table: orders
alerts:
  - name: big-order
    when: "price > 1000 AND cdc_event_type = 'INSERT'"
    actions:
%s
      - {type: log, path: alerts.log}
"""


class Receiver:
    """A webhook receiver: records (Idempotency-Key, body); answers 503 to the first `fail_first`."""

    def __init__(self, fail_first=0):
        self.lock = threading.Lock()
        self.received = []
        self.requests = 0
        self.fail_first = fail_first
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests += 1
                    fail = outer.requests <= outer.fail_first
                    if not fail:
                        outer.received.append((self.headers.get("Idempotency-Key"), json.loads(body)))
                self.send_response(503 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def dynamodb(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))


class AlertsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tributary-alerts-e2e-")
        self.data_dir = os.path.join(self.dir, "data")
        self.server = None
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        if self.server is not None:
            self.server.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, actions):
        path = os.path.join(self.dir, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(PIPELINE % actions)
        return path

    def start(self, config):
        self.server = harness.TributaryServer(config, self.data_dir).start()  # it adds --listen 127.0.0.1:0
        return dynamodb(self.server.endpoint)

    def put_orders(self, client, orders):
        """Puts each order until acknowledged; returns False if the server went away."""
        for order_id, price in orders:
            item = {"order_id": {"S": order_id}, "price": {"N": str(price)}, "status": {"S": "NEW"}}
            client.put_item(TableName="Orders", Item=item)

    def test_webhook_exactly_once_across_kills(self):
        receiver = Receiver(fail_first=3)
        self.addCleanup(receiver.close)
        config = self.write_config(
            "      - {type: webhook, url: \"%s\", headers: {X-Test: e2e}, max_attempts: 100, "
            "initial_backoff_ms: 20, max_backoff_ms: 200, timeout_ms: 2000}" % receiver.url)
        started = time.monotonic()
        expected = set()
        n = 0
        for round_no in range(KILLS + 1):
            client = self.start(config)
            orders = []
            for _ in range(24):
                n += 1
                price = 1500 + n if n % 3 == 0 else 50 + n
                orders.append(("o%05d" % n, price))
                if price > 1000:
                    expected.add("o%05d" % n)
            self.put_orders(client, orders)
            # A MODIFY of a big order must not alert (the rule says INSERT).
            client.update_item(TableName="Orders", Key={"order_id": {"S": orders[2][0]}},
                               UpdateExpression="SET price = :p", ExpressionAttributeValues={":p": {"N": "99999"}})
            if round_no < KILLS:
                time.sleep(0.05 + 0.1 * round_no)  # kill at different points of delivery and sending
                self.server.kill()
        # The last run delivers everything; wait for the receiver.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            got = {body["row"]["order_id"] for _, body in receiver.snapshot()}
            if got >= expected:
                break
            time.sleep(0.1)
        time.sleep(0.5)  # anything extra would arrive now
        self.server.stop()
        received = receiver.snapshot()
        keys = {}
        for key, body in received:
            self.assertEqual(key, body["event_id"])
            self.assertEqual(body["rule"], "big-order")
            self.assertEqual(body["row"]["cdc_event_type"], "INSERT")
            self.assertGreater(body["row"]["price"], 1000)
            keys.setdefault(key, set()).add(body["row"]["order_id"])
        orders_alerted = [o for s in keys.values() for o in s]
        self.assertEqual(sorted(orders_alerted), sorted(expected), "every matching change, once by key")
        self.assertEqual(len(keys), len(expected))
        duplicates = len(received) - len(keys)
        # Only the documented window (a kill between the 2xx and the outbox mark) repeats a send.
        self.assertLessEqual(duplicates, KILLS, "repeated sends: %d" % duplicates)
        # The log action: one line per alert, except the same window.
        with open(os.path.join(self.data_dir, "alerts.log")) as f:
            logged = {json.loads(line)["event_id"] for line in f}
        self.assertEqual(logged, set(keys))
        # `tributary alerts --json` from the durable state, after the process ended.
        out = subprocess.run([harness.TRIBUTARY_BIN, "alerts", "--data-dir", self.data_dir, "--json",
                              "--limit", "1000"], capture_output=True, text=True, check=True).stdout
        listing = json.loads(out)
        self.assertEqual({a["event_id"] for a in listing["alerts"]}, set(keys))
        self.assertEqual(listing["counts"]["big-order"]["fired"], len(expected))
        self.assertEqual(listing["counts"]["big-order"]["pending"], 0)
        self.assertEqual(listing["counts"]["big-order"]["dead"], 0)
        print("%d kills, %d alerts, %d duplicate sends, %.1f s" %
              (KILLS, len(keys), duplicates, time.monotonic() - started))

    def test_endpoint_lists_alerts_and_latency_is_low(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        config = self.write_config("      - {type: webhook, url: \"%s\"}\n      - {type: dashboard}" % receiver.url)
        client = self.start(config)
        t0 = time.monotonic()
        self.put_orders(client, [("big-1", 2500)])
        while not receiver.snapshot() and time.monotonic() - t0 < 10:
            time.sleep(0.01)
        latency = time.monotonic() - t0
        self.assertTrue(receiver.snapshot(), "no alert within 10 s")
        print("change -> webhook: %.0f ms" % (latency * 1000))
        self.assertLess(latency, 10)
        import urllib.request
        with urllib.request.urlopen(self.server.endpoint + "/api/alerts?limit=5") as r:
            body = json.loads(r.read())
        self.assertEqual(body["counts"], {"big-order": 1})
        self.assertEqual(len(body["alerts"]), 1)
        alert = body["alerts"][0]
        self.assertEqual(set(alert), {"rule", "event_id", "time", "row"})
        self.assertEqual(alert["row"]["order_id"], "big-1")
        try:
            urllib.request.urlopen(self.server.endpoint + "/api/alerts?limit=0")
            self.fail("limit=0 accepted")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 400)
        with urllib.request.urlopen(self.server.endpoint + "/metrics") as r:
            metrics = r.read().decode()
        self.assertIn('tributary_alerts_fired_total{rule="big-order"} 1', metrics)

    def test_sns_publish_reaches_an_sqs_subscription(self):
        if shutil.which("moto_server") is None:
            self.skipTest("moto_server is not installed")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (moto.send_signal(signal.SIGTERM), moto.wait(10)))
        moto_url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.fail("moto_server did not start")
                time.sleep(0.1)
        kw = dict(endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="testing",
                  aws_secret_access_key="testing")
        sns = boto3.client("sns", **kw)
        sqs = boto3.client("sqs", **kw)
        topic = sns.create_topic(Name="big-orders")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        config = self.write_config("      - {type: sns, topic_arn: \"%s\", endpoint_url: \"%s\", subject: Big order}"
                                   % (topic, moto_url))
        for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
            old = os.environ.get(k)
            os.environ[k] = v
            self.addCleanup(lambda k=k, old=old: os.environ.pop(k) if old is None else os.environ.__setitem__(k, old))
        client = self.start(config)
        self.put_orders(client, [("s1", 10), ("s2", 1200), ("s3", 30), ("s4", 5000)])
        messages = []
        deadline = time.monotonic() + 20
        while len(messages) < 2 and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages += got.get("Messages", [])
        envelopes = [json.loads(m["Body"]) for m in messages]
        self.assertEqual(sorted(json.loads(e["Message"])["row"]["order_id"] for e in envelopes), ["s2", "s4"])
        self.assertEqual({e["Subject"] for e in envelopes}, {"Big order"})

    def test_bad_predicate_is_a_located_config_error(self):
        config = self.write_config("      - {type: dashboard}")
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write(text.replace("price > 1000 AND cdc_event_type = 'INSERT'", "price >> AND"))
        proc = subprocess.run([harness.TRIBUTARY_BIN, "up", "-c", config, "--data-dir", self.data_dir,
                               "--listen", "127.0.0.1:0", "--duration", "1"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertIn("pipeline.yaml:18:11: alert 'big-order' when: not a SQL predicate", proc.stderr)


if __name__ == "__main__":
    unittest.main()
