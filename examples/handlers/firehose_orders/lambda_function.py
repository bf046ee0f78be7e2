"""A Firehose data-transformation Lambda written for AWS, for DynamoDB changes that reach Firehose
through a Kinesis data stream (Kinesis Data Streams for DynamoDB). Nothing in it knows Tributary.

Each record's data is one DynamoDB stream record (eventName, dynamodb.NewImage in DynamoDB JSON).
The handler base64-decodes it, flattens the new image, adds fields, and returns the row with
metadata.partitionKeys {customer, year, month, day} for a prefix such as
orders/customer=!{partitionKeyFromLambda:customer}/!{partitionKeyFromLambda:year}/...
Deletes and test orders are Dropped; orders without a positive quantity or a date are
ProcessingFailed (Firehose sends the original record to the error output prefix).
examples/firehose-lambda-pipeline.yaml runs it; docs/lambda-handlers.md explains the contract.
"""
import base64
import json
from decimal import Decimal


def plain(value):
    """One DynamoDB JSON attribute value ({"S": ...}, {"N": ...}, ...) as a plain JSON value."""
    (kind, v), = value.items()
    if kind == "S":
        return v
    if kind == "N":
        d = Decimal(v)
        return int(d) if d == d.to_integral_value() else float(d)
    if kind == "BOOL":
        return v
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: plain(x) for k, x in v.items()}
    if kind == "L":
        return [plain(x) for x in v]
    return v  # sets and binary as they come


def lambda_handler(event, context):
    output = []
    for record in event["records"]:
        change = json.loads(base64.b64decode(record["data"]))
        if change["eventName"] == "REMOVE":
            output.append({"recordId": record["recordId"], "result": "Dropped"})
            continue
        row = {k: plain(v) for k, v in change["dynamodb"]["NewImage"].items()}
        if row["order_id"].startswith("TEST-"):
            output.append({"recordId": record["recordId"], "result": "Dropped"})
            continue
        quantity = row.get("quantity")
        order_date = row.get("order_date", "")  # "YYYY-MM-DD..."
        if not isinstance(quantity, int) or quantity <= 0 or len(order_date) < 10:
            output.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                           "data": record["data"]})
            continue
        row["order_total"] = round(quantity * row.get("price", 0), 2)
        row["event_name"] = change["eventName"]
        row["arrival_ms"] = record["approximateArrivalTimestamp"]
        row["enriched_by"] = context.function_name
        output.append({
            "recordId": record["recordId"],
            "result": "Ok",
            "data": base64.b64encode((json.dumps(row) + "\n").encode()).decode(),
            "metadata": {"partitionKeys": {
                "customer": row["customer_id"],
                "year": order_date[0:4], "month": order_date[5:7], "day": order_date[8:10],
            }},
        })
    return {"records": output}
