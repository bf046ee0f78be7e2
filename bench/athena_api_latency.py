#!/usr/bin/env python3
"""Latency of SQL through the endpoint's APIs, for docs/performance.md: each of the seed's three
queries N times via boto3's athena client (StartQueryExecution, GetQueryExecution polled every
POLL_S, GetQueryResults) and via POST /api/query; prints median and p90 per query and path.

    build/tributary up -c examples/sales-pipeline.yaml --data-dir /tmp/d --listen 127.0.0.1:0 &
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x python3 examples/generate_sales.py \\
        --endpoint http://127.0.0.1:PORT --count 5000 --rate 0 --quiet
    python3 bench/athena_api_latency.py --endpoint http://127.0.0.1:PORT --iterations 30

Standard library + boto3 only.
"""
import argparse
import json
import statistics
import time
import urllib.request

import boto3

SEED_QUERIES = [
    ("latest modifications", "SELECT * FROM p1_kinesis_firehose_destination WHERE cdc_event_type = 'MODIFY' "
                             "ORDER BY creation_datetime DESC LIMIT 10"),
    ("inserted today", "SELECT COUNT(*) FROM p1_kinesis_firehose_destination "
                       "WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date"),
    ("over 300, last 10 min", "SELECT * FROM p1_kinesis_firehose_destination "
                              "WHERE price > 300 AND creation_datetime >= now() - interval '10' minute"),
]


def athena_once(athena, sql, poll_s):
    t0 = time.perf_counter()
    qid = athena.start_query_execution(QueryString=sql)["QueryExecutionId"]
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(poll_s)
    if state != "SUCCEEDED":
        raise RuntimeError("query %s: %s" % (qid, state))
    rows = 0
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        rows += len(page["ResultSet"]["Rows"])
    return (time.perf_counter() - t0) * 1000, rows - 1


def api_once(endpoint, sql):
    t0 = time.perf_counter()
    req = urllib.request.Request(endpoint + "/api/query", data=json.dumps({"sql": sql}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        body = json.loads(resp.read())
    return (time.perf_counter() - t0) * 1000, body["row_count"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--poll", type=float, default=0.005, help="GetQueryExecution polling interval, seconds")
    args = p.parse_args()
    athena = boto3.client("athena", endpoint_url=args.endpoint, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    print("| query | rows | athena round trip p50 / p90 ms | /api/query p50 / p90 ms |")
    print("|---|---|---|---|")
    for title, sql in SEED_QUERIES:
        athena_once(athena, sql, args.poll)  # warm up
        api_once(args.endpoint, sql)
        a = [athena_once(athena, sql, args.poll) for _ in range(args.iterations)]
        b = [api_once(args.endpoint, sql) for _ in range(args.iterations)]

        def fmt(xs):
            ms = sorted(x[0] for x in xs)
            return "%.1f / %.1f" % (statistics.median(ms), ms[int(len(ms) * 0.9) - 1])
        print("| %s | %d | %s | %s |" % (title, a[-1][1], fmt(a), fmt(b)))


if __name__ == "__main__":
    main()
