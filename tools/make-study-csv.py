#!/usr/bin/env python3
"""Writes the index signal study's benchmark input: 250 trading days of 1-minute bars for NIFTY, BANKNIFTY and
SENSEX (93,750 bars each, 281,250 in all) as DIR/<INDEX>_1m.csv, a seeded random walk (the same files on
every run). Usage: python3 tools/make-study-csv.py DIR"""

import datetime
import random
import sys

directory = sys.argv[1]
random.seed(7)
days = []
day = datetime.date(2024, 1, 1)
while len(days) < 250:
    if day.weekday() < 5:
        days.append(day)
    day += datetime.timedelta(days=1)
for name, level in [("NIFTY", 22000.0), ("BANKNIFTY", 48000.0), ("SENSEX", 72000.0)]:
    with open(f"{directory}/{name}_1m.csv", "w") as f:
        f.write("timestamp,open,high,low,close,volume\n")
        for day in days:
            # 09:15 IST = 03:45 UTC.
            t0 = int(datetime.datetime(day.year, day.month, day.day, 3, 45, tzinfo=datetime.timezone.utc).timestamp())
            for minute in range(375):
                o = level
                level *= 1 + random.gauss(0, 0.0006)
                c = level
                h = max(o, c) * (1 + abs(random.gauss(0, 0.0002)))
                lo = min(o, c) * (1 - abs(random.gauss(0, 0.0002)))
                f.write(f"{t0 + 60 * minute},{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{random.randint(0, 5000)}\n")
