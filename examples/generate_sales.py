#!/usr/bin/env python3
"""Mock sales-order generator for the Tributary / AWS CDC pipeline, in plain boto3.

It writes to a DynamoDB table the way an order service would: new orders (PutItem), status
changes (UpdateItem with an UpdateExpression; `status` is a reserved word, so it goes through
ExpressionAttributeNames) and cancellations (DeleteItem). Each of those becomes an INSERT,
MODIFY or REMOVE record on the table's stream.

The same script runs against real DynamoDB (omit --endpoint) and against a local endpoint:

    python3 examples/generate_sales.py --endpoint http://127.0.0.1:4566 --create-table --count 500
    python3 examples/generate_sales.py --table P1_OrdersRawTable --region eu-west-1 --duration 60

Standard library + boto3 only.
"""

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

PRODUCTS = [
    ("Laptop", Decimal("1199.00")),
    ("Smartphone", Decimal("799.99")),
    ("Headphones", Decimal("149.50")),
    ("Monitor", Decimal("329.00")),
    ("Keyboard", Decimal("89.90")),
    ("Mouse", Decimal("39.99")),
    ("Webcam", Decimal("74.25")),
    ("USB-C Hub", Decimal("54.00")),
    ("Desk Lamp", Decimal("42.10")),
    ("Office Chair", Decimal("259.00")),
]

# Order lifecycle: each status update moves an order one step forward.
NEXT_STATUS = {
    "PENDING": "CONFIRMED",
    "CONFIRMED": "SHIPPED",
    "SHIPPED": "DELIVERED",
}


def utc_now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Generate mock sales orders into a DynamoDB table with boto3.")
    p.add_argument("--endpoint", help="endpoint URL, e.g. http://127.0.0.1:4566 (omit for real AWS)")
    p.add_argument("--table", default="P1_OrdersRawTable", help="table name (default: %(default)s)")
    p.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                   help="AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)")
    p.add_argument("--rate", type=float, default=10.0, help="operations per second; 0 = as fast as possible (default: %(default)s)")
    p.add_argument("--count", type=int, help="stop after this many operations")
    p.add_argument("--duration", type=float, help="stop after this many seconds")
    p.add_argument("--create-table", action="store_true",
                   help="create the table (key order_id, stream NEW_AND_OLD_IMAGES) if it does not exist")
    p.add_argument("--seed", type=int, help="random seed, for a reproducible sequence of operations")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    args = p.parse_args(argv)
    if args.count is None and args.duration is None:
        args.count = 100
    if args.count is not None and args.count < 0:
        p.error("--count must be >= 0")
    if args.rate < 0:
        p.error("--rate must be >= 0")
    return args


def make_resource(args):
    """The boto3 DynamoDB resource (native Python types, Decimal for numbers), as the seed uses."""
    kwargs = {"region_name": args.region}
    if args.endpoint:
        kwargs["endpoint_url"] = args.endpoint
        # A local endpoint accepts any credentials; supply dummies only when none are configured.
        session = boto3.session.Session()
        if session.get_credentials() is None:
            kwargs["aws_access_key_id"] = "test"
            kwargs["aws_secret_access_key"] = "test"
    return boto3.resource("dynamodb", **kwargs)


def ensure_table(client, table, log):
    try:
        client.describe_table(TableName=table)
        log(f"table {table} exists")
        return
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    log(f"creating table {table}")
    try:
        client.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceInUseException":  # created meanwhile
            raise
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    log(f"table {table} is ACTIVE")


class Generator:
    def __init__(self, table, rng, log):
        self.table = table
        self.rng = rng
        self.log = log
        self.open_orders = {}  # order_id -> status, for orders that can still change
        self.counts = {"inserts": 0, "modifies": 0, "removes": 0, "errors": 0}

    def new_order(self):
        product, unit_price = self.rng.choice(PRODUCTS)
        order_id = "ORD-" + uuid.UUID(int=self.rng.getrandbits(128), version=4).hex[:12].upper()
        now = utc_now_iso()
        quantity = self.rng.randint(1, 5)
        item = {
            "order_id": order_id,
            "product_name": product,
            "quantity": quantity,
            "price": unit_price,  # Decimal: boto3 refuses float
            "customer_id": f"CUST-{self.rng.randint(1, 500):04d}",
            "status": "PENDING",
            "order_timestamp": now,
            "updated_at": now,
        }
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(order_id)")
        self.open_orders[order_id] = "PENDING"
        self.counts["inserts"] += 1
        self.log(f"INSERT {order_id} {product} x{quantity} @ {unit_price}")

    def update_status(self):
        order_id = self.rng.choice(list(self.open_orders))
        old = self.open_orders[order_id]
        new = NEXT_STATUS[old]
        self.table.update_item(
            Key={"order_id": order_id},
            UpdateExpression="SET #status = :new, #updated_at = :now",
            ConditionExpression="#status = :old",
            ExpressionAttributeNames={"#status": "status", "#updated_at": "updated_at"},
            ExpressionAttributeValues={":new": new, ":old": old, ":now": utc_now_iso()},
        )
        if new in NEXT_STATUS:
            self.open_orders[order_id] = new
        else:
            del self.open_orders[order_id]  # delivered: final
        self.counts["modifies"] += 1
        self.log(f"MODIFY {order_id} {old} -> {new}")

    def cancel(self):
        # Only orders not shipped yet can be cancelled.
        candidates = [o for o, s in self.open_orders.items() if s in ("PENDING", "CONFIRMED")]
        if not candidates:
            return self.update_status()
        order_id = self.rng.choice(candidates)
        self.table.delete_item(Key={"order_id": order_id})
        del self.open_orders[order_id]
        self.counts["removes"] += 1
        self.log(f"REMOVE {order_id} (cancelled)")

    def step(self):
        r = self.rng.random()
        # Roughly 50% new orders, 38% status updates, 12% cancellations once orders exist.
        if not self.open_orders or r < 0.5:
            self.new_order()
        elif r < 0.88:
            self.update_status()
        else:
            self.cancel()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    dynamodb = make_resource(args)
    if args.create_table:
        ensure_table(dynamodb.meta.client, args.table, log)
    gen = Generator(dynamodb.Table(args.table), random.Random(args.seed), log)
    start = time.monotonic()
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_at = start
    ops = 0
    try:
        while True:
            if args.count is not None and ops >= args.count:
                break
            if args.duration is not None and time.monotonic() - start >= args.duration:
                break
            if interval:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at += interval
            try:
                gen.step()
            except ClientError as e:
                err = e.response["Error"]
                gen.counts["errors"] += 1
                print(f"error: {err.get('Code')}: {err.get('Message')}", file=sys.stderr, flush=True)
                if err.get("Code") in ("ResourceNotFoundException", "AccessDeniedException",
                                       "UnrecognizedClientException"):
                    return 1
            ops += 1
    except KeyboardInterrupt:
        pass
    elapsed = time.monotonic() - start
    c = gen.counts
    total = c["inserts"] + c["modifies"] + c["removes"]
    print(f"summary: table={args.table} inserts={c['inserts']} modifies={c['modifies']} "
          f"removes={c['removes']} errors={c['errors']} total={total} "
          f"elapsed={elapsed:.1f}s rate={total / elapsed if elapsed > 0 else 0.0:.1f}/s", flush=True)
    return 0 if c["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
