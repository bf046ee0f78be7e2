"""A Firehose data-transformation Lambda for the seed's orders, as it would be deployed to AWS.

In examples/lambda-pipeline.yaml it runs after cdc-flatten, so each record's data is one flat
order row (order_id, product_name, quantity, price, customer_id, status, ..., cdc_event_type,
creation_datetime). It adds fields, partitions by customer and hour, drops test orders and sends
orders it cannot price to the error prefix. docs/lambda-handlers.md explains the contract.
"""
import base64
import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    output = []
    for record in event["records"]:
        row = json.loads(base64.b64decode(record["data"]))

        if row["order_id"].startswith("TEST-"):
            # Not for the lake: Dropped records are acknowledged and skipped.
            output.append({"recordId": record["recordId"], "result": "Dropped"})
            continue

        quantity = row.get("quantity")
        price = row.get("price")
        if row["cdc_event_type"] != "REMOVE" and (not quantity or quantity <= 0 or price is None):
            # Bad data: the original record goes to the error prefix with its reason.
            logger.warning("cannot price order %s (quantity=%r, price=%r)",
                           row["order_id"], quantity, price)
            output.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                           "data": record["data"]})
            continue

        if quantity and price is not None:
            row["order_total"] = round(quantity * price, 2)
        row["enriched_by"] = context.function_name
        ts = row["creation_datetime"]  # "YYYY-MM-DD HH:MM:SS.mmm", UTC
        output.append({
            "recordId": record["recordId"],
            "result": "Ok",
            "data": base64.b64encode((json.dumps(row) + "\n").encode()).decode(),
            "metadata": {"partitionKeys": {
                "customer_id": row["customer_id"],
                "year": ts[0:4], "month": ts[5:7], "day": ts[8:10], "hour": ts[11:13],
            }},
        })
    return {"records": output}
