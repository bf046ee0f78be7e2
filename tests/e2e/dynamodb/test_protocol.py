"""The endpoint's HTTP and AWS JSON protocol layer, with raw HTTP, boto3 and the AWS CLI:
error shapes for unknown/missing targets and malformed JSON, x-amz-crc32, request ids, keep-alive,
body limits, the GET pages, SigV4 off (any credentials) and on (--access-key-id), and many
concurrent clients.

Operations used: DynamoDBStreams ListStreams (always served), plus ListTables / CreateTable /
PutItem / GetItem where the endpoint serves them (tests that need them skip otherwise).
"""

import concurrent.futures
import http.client
import json
import socket
import zlib

import harness
from botocore.exceptions import ClientError

LIST_STREAMS = "DynamoDBStreams_20120810.ListStreams"
SERVICE_NS = "com.amazon.coral.service#"


class ProtocolTest(harness.TributaryTestCase):
    SHARED_SERVER = True

    def assertAwsError(self, status, headers, body, http_status, code, message=None):
        self.assertEqual(status, http_status, body)
        doc = json.loads(body)
        self.assertEqual(doc["__type"], SERVICE_NS + code)
        if message is not None:
            self.assertEqual(doc["message"], message)
        self.assertEqual(headers.get("x-amzn-errortype"), code)
        self.assertEqual(headers.get("content-type"), "application/x-amz-json-1.0")

    def assertCrc32(self, headers, body):
        self.assertIn("x-amz-crc32", headers)
        self.assertEqual(int(headers["x-amz-crc32"]), zlib.crc32(body) & 0xFFFFFFFF)

    def test_unknown_operation(self):
        for target in ("DynamoDB_20120810.NoSuchOperation", "DynamoDBStreams_20120810.PutItem", "Kinesis_20131202.SubscribeToShard",
                       "nonsense"):
            status, headers, body = self.raw_post(target, {})
            self.assertAwsError(status, headers, body, 400, "UnknownOperationException")
            self.assertCrc32(headers, body)

    def test_missing_target(self):
        status, headers, body = self.raw_post(None, {})
        self.assertAwsError(status, headers, body, 400, "UnknownOperationException")

    def test_malformed_json(self):
        for bad in (b"{", b"not json", b"[1,2]", b"", b'"string"'):
            status, headers, body = self.raw_post(LIST_STREAMS, bad)
            self.assertAwsError(status, headers, body, 400, "SerializationException")
            self.assertCrc32(headers, body)

    def test_success_headers(self):
        status, headers, body = self.raw_post(LIST_STREAMS, {})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.0")
        self.assertCrc32(headers, body)
        self.assertEqual(len(headers["x-amzn-requestid"]), 52)
        self.assertIn("Streams", json.loads(body))
        _, headers2, _ = self.raw_post(LIST_STREAMS, {})
        self.assertNotEqual(headers["x-amzn-requestid"], headers2["x-amzn-requestid"])

    def test_crc32_with_botocore_checking_it(self):
        # botocore's legacy retry mode verifies x-amz-crc32 for DynamoDB and raises on mismatch.
        client = self.client("dynamodbstreams", retries=1)
        for _ in range(20):
            resp = client.list_streams()
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 0)

    def test_keep_alive_reuses_one_connection(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            self.raw_post(LIST_STREAMS, {}, conn=conn)
            sock = conn.sock
            self.assertIsNotNone(sock)
            local = sock.getsockname()
            for i in range(200):
                target = LIST_STREAMS if i % 2 == 0 else "DynamoDB_20120810.Nope"
                status, headers, body = self.raw_post(target, {}, conn=conn)
                self.assertIn(status, (200, 400))
                self.assertNotIn("connection", headers)
                self.assertCrc32(headers, body)
            self.assertIs(conn.sock, sock, "the client had to reconnect")
            self.assertEqual(conn.sock.getsockname(), local)
        finally:
            conn.close()

    def test_boto3_reuses_connections(self):
        client = self.client("dynamodbstreams")
        for _ in range(50):
            client.list_streams()
        # urllib3 keeps one pooled connection per host when calls are sequential.
        pool = list(client._endpoint.http_session._manager.pools._container.values())
        self.assertEqual(len(pool), 1)
        self.assertEqual(pool[0].num_connections, 1)

    def test_pipelined_requests(self):
        body = b"{}"
        req = ("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: %s\r\nContent-Type: application/x-amz-json-1.0\r\n"
               "Content-Length: %d\r\n\r\n" % (LIST_STREAMS, len(body))).encode() + body
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            s.sendall(req * 20)
            data = b""
            while data.count(b"HTTP/1.1 200 OK") < 20 or not data.endswith(b"}"):
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed early")
                data += chunk
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 20)

    def test_oversized_body_is_413(self):
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + LIST_STREAMS.encode() +
                      b"\r\nContent-Length: 17000000\r\n\r\n{")
            data = s.recv(65536)
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data)

    def test_chunked_body_is_400(self):
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + LIST_STREAMS.encode() +
                      b"\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            data = s.recv(65536)
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)

    def test_get_pages(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request("GET", "/health")
            r = conn.getresponse()
            self.assertEqual((r.status, r.read()), (200, b"ok"))
            conn.request("GET", "/endpoints")
            r = conn.getresponse()
            page = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertIn("DynamoDB_20120810", page)
            # The dashboard and its embedded assets (the chart library comes from the binary).
            conn.request("GET", "/")
            r = conn.getresponse()
            page = r.read().decode()
            self.assertEqual((r.status, r.getheader("Content-Type")), (200, "text/html; charset=utf-8"))
            self.assertIn("<title>Tributary dashboard</title>", page)
            for asset in ("/assets/uPlot.iife.min.js", "/assets/app.js", "/assets/style.css", "/assets/uPlot.min.css"):
                self.assertIn(asset, page)
                conn.request("GET", asset)
                r = conn.getresponse()
                body = r.read()
                self.assertEqual(r.status, 200, asset)
                self.assertGreater(len(body), 1000, asset)
            conn.request("GET", "/api/status")
            r = conn.getresponse()
            status = json.loads(r.read().decode())
            self.assertEqual(r.status, 200)
            self.assertTrue(status["running"])
            self.assertIn("deliveries", status["stages"])
            self.assertIsInstance(status["tables"], list)
            self.raw_post(LIST_STREAMS, {}, conn=conn)
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            text = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertIn("# TYPE tributary_http_requests_total counter\ntributary_http_requests_total ", text)
            self.assertIn('tributary_http_request_duration_seconds_bucket{kind="page",le="+Inf"}', text)
            self.assertIn('tributary_api_requests_total{service="dynamodbstreams",operation="ListStreams"}', text)
            conn.request("GET", "/nope")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 404)
        finally:
            conn.close()

    def test_any_credentials_accepted_by_default(self):
        for creds in (("AKIDANY", "whatever"), ("x", "y")):
            resp = self.client("dynamodbstreams", credentials=creds).list_streams()
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        status, _, body = self.raw_post(LIST_STREAMS, {})  # unsigned
        self.assertEqual(status, 200, body)

    def test_aws_cli(self):
        out = self.aws_cli("dynamodbstreams", "list-streams")
        self.assertEqual(out["Streams"], [])
        if self.has_operation("DynamoDB_20120810.ListTables"):
            self.assertIn("TableNames", self.aws_cli("dynamodb", "list-tables"))

    def test_concurrent_clients(self):
        def raw_worker(n):
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            ok = 0
            try:
                for _ in range(n):
                    status, headers, body = self.raw_post(LIST_STREAMS, {}, conn=conn)
                    if status == 200 and int(headers["x-amz-crc32"]) == zlib.crc32(body):
                        ok += 1
            finally:
                conn.close()
            return ok

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            results = list(pool.map(raw_worker, [300] * 32))
        self.assertEqual(sum(results), 32 * 300)

    def test_concurrent_boto3_writers(self):
        self.require_operations("CreateTable", "DescribeTable", "PutItem", "GetItem")
        self.create_table("protocol_concurrent")
        waiter = self.dynamodb.get_waiter("table_exists")
        waiter.wait(TableName="protocol_concurrent", WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})

        def worker(w):
            client = self.client("dynamodb")
            for i in range(100):
                client.put_item(TableName="protocol_concurrent",
                                Item={"pk": {"S": "w%d-%d" % (w, i)}, "v": {"N": str(i)}})
            got = 0
            for i in range(100):
                item = client.get_item(TableName="protocol_concurrent", Key={"pk": {"S": "w%d-%d" % (w, i)}})
                if item.get("Item", {}).get("v") == {"N": str(i)}:
                    got += 1
            return got

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            self.assertEqual(sum(pool.map(worker, range(16))), 1600)


class SigV4Test(harness.TributaryTestCase):
    SHARED_SERVER = True
    CREDENTIALS = ("AKIDTRIBUTARY", "tributary-secret/key+1")

    def test_signed_requests_pass(self):
        resp = self.streams.list_streams()
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        if self.has_operation("DynamoDB_20120810.ListTables"):
            self.dynamodb.list_tables()
        self.assertEqual(self.aws_cli("dynamodbstreams", "list-streams")["Streams"], [])

    def test_unsigned_request_is_missing_token(self):
        status, headers, body = self.raw_post(LIST_STREAMS, {})
        self.assertEqual(status, 400)
        doc = json.loads(body)
        self.assertEqual(doc, {"__type": SERVICE_NS + "MissingAuthenticationTokenException",
                               "message": "Request is missing Authentication Token"})
        self.assertEqual(headers["x-amzn-errortype"], "MissingAuthenticationTokenException")

    def test_unknown_access_key(self):
        client = self.client("dynamodbstreams", credentials=("AKIDSOMEONEELSE", self.CREDENTIALS[1]))
        err = self.assertClientError("UnrecognizedClientException", client.list_streams)
        self.assertEqual(err.response["Error"]["Message"], "The security token included in the request is invalid.")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_wrong_secret(self):
        client = self.client("dynamodbstreams", credentials=(self.CREDENTIALS[0], "wrong-secret"))
        err = self.assertClientError("InvalidSignatureException", client.list_streams)
        self.assertEqual(
            err.response["Error"]["Message"],
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_tampered_body(self):
        # Sign one body with botocore, send another.
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=b"{}",
                         headers={"X-Amz-Target": LIST_STREAMS, "Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(Credentials(*self.CREDENTIALS), "dynamodb", "us-east-1").add_auth(req)
        signed = {k: v for k, v in req.headers.items()}
        status, _, body = self.raw_post(LIST_STREAMS, b"{}", headers=signed)
        self.assertEqual(status, 200, body)
        status, _, body = self.raw_post(LIST_STREAMS, b'{"Limit": 1}', headers=signed)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], SERVICE_NS + "InvalidSignatureException")

    def test_expired_signature(self):
        # A correct signature made 20 minutes ago (botocore's clock patched).
        import datetime
        from unittest import mock
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        then = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=b"{}",
                         headers={"X-Amz-Target": LIST_STREAMS, "Content-Type": "application/x-amz-json-1.0"})
        with mock.patch("botocore.auth.get_current_datetime", return_value=then):
            SigV4Auth(Credentials(*self.CREDENTIALS), "dynamodb", "us-east-1").add_auth(req)
        status, _, body = self.raw_post(LIST_STREAMS, b"{}", headers=dict(req.headers.items()))
        self.assertEqual(status, 400)
        doc = json.loads(body)
        self.assertEqual(doc["__type"], SERVICE_NS + "InvalidSignatureException")
        self.assertTrue(doc["message"].startswith("Signature expired: "), doc["message"])

    def test_unknown_operation_before_signature(self):
        status, headers, body = self.raw_post("DynamoDB_20120810.Nope", {})
        self.assertEqual(status, 400)
        self.assertEqual(headers["x-amzn-errortype"], "UnknownOperationException")


class SeedPipelineTest(harness.TributaryTestCase):
    """boto3 writes to the seed pipeline's table through the endpoint reach the lake."""
    CONFIG = harness.SALES_CONFIG

    def test_boto3_changes_reach_the_lake(self):
        self.require_operations("PutItem", "UpdateItem", "DeleteItem")
        table = "P1_OrdersRawTable"
        for i in range(30):
            self.dynamodb.put_item(TableName=table, Item={
                "order_id": {"S": "order-%03d" % i}, "status": {"S": "NEW"}, "amount": {"N": str(10 + i)}})
        for i in range(10):
            self.dynamodb.update_item(TableName=table, Key={"order_id": {"S": "order-%03d" % i}},
                                      UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                                      ExpressionAttributeValues={":s": {"S": "SHIPPED"}})
        for i in range(25, 30):
            self.dynamodb.delete_item(TableName=table, Key={"order_id": {"S": "order-%03d" % i}})
        item = self.dynamodb.get_item(TableName=table, Key={"order_id": {"S": "order-000"}})["Item"]
        self.assertEqual(item["status"], {"S": "SHIPPED"})
        self.assertEqual(self.server.stop(), 0, self.server_output())  # SIGTERM flushes and commits
        q = self.run_tributary("query", "--data-dir", self.data_dir, "--format", "csv",
                               "SELECT cdc_event_type, count(*) AS n FROM p1_kinesis_firehose_destination "
                               "GROUP BY 1 ORDER BY 1")
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertEqual(q.stdout, "cdc_event_type,n\nINSERT,30\nMODIFY,10\nREMOVE,5\n")


if __name__ == "__main__":
    harness.main()
