#!/usr/bin/env python3
"""The index signal study (`scalper backtest --proxy index`) as a plain CPython streaming loop: the baseline
`tools/bench.sh` times beside the Swift binary on the same CSV files.

Usage: python3 tools/proxy-study-baseline.py OUT.csv FILE.csv [FILE.csv ...]   (symbol = file name up to '_')

Same rules as Sources/Replay/Backtest/ProxyStudy.swift, defaults as config/algo.yml: Supertrend(10, 3.0) and
ADX(14) on 1m bars and on 5m bars (buckets from 09:15 IST, a bucket counts from the 1m close completing it);
long when both Supertrends are up and ADX1m >= 18, ADX5m >= 20, short mirrored; exit on the opposite signal
or at the 15:19 bar's close; a day's last bar closes what is open. Writes the same trades.csv.
"""

import sys
import time

IST = 19800
ANCHOR = 9 * 3600 + 15 * 60
TIME_EXIT = 15 * 3600 + 19 * 60


class ATR:
    def __init__(self, period):
        self.period, self.seen, self.prev_close, self.sum, self.value = period, 0, 0.0, 0.0, None

    def update(self, high, low, close):
        if self.seen > 0:
            r = max(high - low, abs(high - self.prev_close), abs(low - self.prev_close))
            if self.value is not None:
                self.value = (self.value * (self.period - 1) + r) / self.period
            else:
                self.sum += r
                if self.seen == self.period:
                    self.value = self.sum / self.period
        self.prev_close = close
        self.seen += 1
        return self.value


class Supertrend:
    def __init__(self, period, multiplier):
        self.atr, self.m = ATR(period), multiplier
        self.up, self.lo, self.direction, self.started, self.current = float("nan"), float("nan"), 1, False, None

    def update(self, high, low, close):
        a = self.atr.update(high, low, close)
        a = float("nan") if a is None else a
        hl2 = 0.5 * (high + low)
        upper, lower = hl2 + self.m * a, hl2 - self.m * a
        if self.started:
            if close > self.up:
                self.direction = 1
            elif close < self.lo:
                self.direction = -1
            elif self.direction == 1:
                if lower < self.lo:
                    lower = self.lo
            elif upper > self.up:
                upper = self.up
        self.started = True
        self.up, self.lo = upper, lower
        value = lower if self.direction == 1 else upper
        self.current = None if value != value else self.direction
        return self.current


class ADX:
    def __init__(self, period):
        self.n, self.seen = period, 0
        self.ph = self.pl = self.pc = self.pdm = self.mdm = self.trs = self.dxs = 0.0
        self.adx = None

    def update(self, high, low, close):
        n = self.n
        if self.seen > 0:
            up, down = high - self.ph, self.pl - low
            p = m = 0.0
            if down > 0 and up < down:
                m = down
            elif up > 0 and up > down:
                p = up
            r = max(high - low, abs(high - self.pc), abs(low - self.pc))
            if self.seen < n:
                self.pdm += p
                self.mdm += m
                self.trs += r
            else:
                self.pdm = self.pdm - self.pdm / n + p
                self.mdm = self.mdm - self.mdm / n + m
                self.trs = self.trs - self.trs / n + r
                dx = None
                if not (-1e-8 < self.trs < 1e-8):
                    plus, minus = 100.0 * (self.pdm / self.trs), 100.0 * (self.mdm / self.trs)
                    s = plus + minus
                    if not (-1e-8 < s < 1e-8):
                        dx = 100.0 * (abs(minus - plus) / s)
                if self.seen < 2 * n - 1:
                    self.dxs += dx or 0.0
                elif self.seen == 2 * n - 1:
                    self.adx = (self.dxs + (dx or 0.0)) / n
                elif dx is not None and self.adx is not None:
                    self.adx = (self.adx * (n - 1) + dx) / n
        self.ph, self.pl, self.pc = high, low, close
        self.seen += 1
        return self.adx


def study(symbol, path, out):
    st1, st5, a1, a5 = Supertrend(10, 3.0), Supertrend(10, 3.0), ADX(14), ADX(14)
    bucket = None
    position = None  # (side, time, price)
    previous = None
    count = 0

    def close(bar, reason):
        nonlocal position
        side, t, price = position
        out.append(f"{symbol},{side},{t},{price!r},{bar[0]},{bar[4]!r},{reason}")
        position = None

    with open(path) as f:
        header = f.readline().strip().lower().split(",")
        it, io, ih, il, ic = (header.index(k) for k in ("timestamp", "open", "high", "low", "close"))
        for line in f:
            fields = line.split(",")
            bar = (int(float(fields[it])), float(fields[io]), float(fields[ih]), float(fields[il]), float(fields[ic]))
            count += 1
            start, _, high, low, close_price = bar
            day = (start + IST) // 86400
            if previous is not None and (previous[0] + IST) // 86400 != day and position is not None:
                close(previous, "end_of_day")
            previous = bar
            one = st1.update(high, low, close_price)
            adx1 = a1.update(high, low, close_price)
            second = (start + IST) % 86400
            anchor = start - second + ANCHOR
            offset = start - anchor
            periods = offset // 300 if offset >= 0 else -((-offset + 299) // 300)
            b_start = anchor + periods * 300
            if bucket is not None and bucket[0] == b_start:
                bucket = (b_start, max(bucket[1], high), min(bucket[2], low), close_price)
            else:
                bucket = (b_start, high, low, close_price)
            if start + 60 >= b_start + 300:
                st5.update(bucket[1], bucket[2], bucket[3])
                a5.update(bucket[1], bucket[2], bucket[3])
                bucket = None
            signal = None
            if one is not None and st5.current is not None and adx1 is not None and a5.adx is not None \
                    and adx1 >= 18.0 and a5.adx >= 20.0 and one == st5.current:
                signal = "long" if one == 1 else "short"
            exited = False
            if position is not None:
                if second >= TIME_EXIT:
                    close(bar, "time_exit")
                    exited = True
                elif signal is not None and signal != position[0]:
                    close(bar, "reverse_signal")
                    exited = True
            if position is None and not exited and signal is not None and second < TIME_EXIT:
                position = (signal, start, close_price)
    if previous is not None and position is not None:
        close(previous, "end_of_data")
    return count


def main():
    started = time.perf_counter()
    out_path, files = sys.argv[1], sys.argv[2:]
    lines = ["symbol,side,entry_time,entry_price,exit_time,exit_price,reason"]
    bars = 0
    for path in files:
        symbol = path.rsplit("/", 1)[-1].split("_", 1)[0]
        bars += study(symbol, path, lines)
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} trades, {bars} bars in {time.perf_counter() - started:.3f} s (CPython)")


if __name__ == "__main__":
    main()
