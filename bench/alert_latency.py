#!/usr/bin/env python3
"""Change -> alert latency of the seed's alert rule (price > 1000 on INSERT) in `tributary demo`.

Runs the demo (built-in config, its generator at --rate changes/s) for --duration seconds in a
fresh data directory, then reads every alert from `tributary alerts --json` and reports, per
alert, alert time minus the row's updated_at (the generator's clock when it wrote the change, ms
precision): p50 / p95 / max, and checks the alerts equal the matching rows in the lake.

    python3 bench/alert_latency.py [--bin build/tributary] [--duration 20] [--rate 200] [--smoke]
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile


def parse_ms(text):
    dt = datetime.datetime.strptime(text[:23], "%Y-%m-%d %H:%M:%S.%f")
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(here, "..", "build", "tributary"))
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--smoke", action="store_true", help="5 s run")
    args = ap.parse_args()
    if args.smoke:
        args.duration = 5
    data = tempfile.mkdtemp(prefix="tributary-alert-latency-")
    try:
        subprocess.run([args.bin, "demo", "--data-dir", data, "--duration", str(args.duration), "--rate",
                        str(args.rate), "--quiet", "--listen", "127.0.0.1:0"], check=True,
                       stdout=subprocess.DEVNULL)
        listing = json.loads(subprocess.run([args.bin, "alerts", "--data-dir", data, "--json", "--limit", "100000"],
                                            check=True, capture_output=True, text=True).stdout)
        latencies = []
        for a in listing["alerts"]:
            alert_ms = datetime.datetime.strptime(a["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp() * 1000
            latencies.append(alert_ms - parse_ms(a["row"]["updated_at"]))
        matching = subprocess.run(
            [args.bin, "query", "--data-dir", data, "--format", "csv",
             "SELECT count(*) FROM p1_kinesis_firehose_destination WHERE price > 1000 AND cdc_event_type = 'INSERT'"],
            check=True, capture_output=True, text=True).stdout.split()[-1]
        latencies.sort()
        if not latencies:
            print("no alerts (matching rows: %s)" % matching)
            return 1
        pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
        print("alerts %d (matching rows in the lake: %s), change -> alert ms: p50 %.0f  p95 %.0f  max %.0f"
              % (len(latencies), matching, pct(0.5), pct(0.95), latencies[-1]))
        return 0 if int(matching) == len(latencies) else 1
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
