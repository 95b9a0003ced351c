#!/usr/bin/env python3
"""A plain Python loop with sma_cross's rules: the reference figure for `deno task bench cli`.

    python3 bench/reference_loop.py FILE.csv [FAST] [SLOW]

FILE.csv has the header timestamp,open,high,low,close,volume (epoch ms). The rules are the
README's: long when SMA(FAST) crosses strictly above SMA(SLOW) on a candle's close, out when it
crosses strictly below; a signal on the close of candle t fills at the open of candle t+1; fee
0.001 of the notional on every fill; an entry is sized at its fill, as the engine sizes it
(qty = 0.95 * equity / (open * 1.001), floored to 1e-8). Long only, no slippage. Its SMAs are
running sums, which drift in the last bits: on a year it matches the engine's trades until a cross
where the two SMAs are exactly equal (the engine sees no cross there; this loop may). Prints one JSON line: rows, trades, final equity, and the seconds spent reading the
file, in the loop, and in all (the whole process minus the interpreter's start).
"""

import json
import math
import sys
import time

START = time.perf_counter()
FEE = 0.001
SIZE = 0.95
STEP = 1e-8


def read(path):
    ts, opens, closes = [], [], []
    with open(path) as f:
        next(f)  # header
        for line in f:
            t, o, _h, _l, c, _v = line.split(",")
            ts.append(int(t))
            opens.append(float(o))
            closes.append(float(c))
    return ts, opens, closes


def run(opens, closes, fast, slow):
    n = len(closes)
    cash, qty, equity = 10_000.0, 0.0, 10_000.0
    trades = 0
    pending = None  # "buy" or "sell", filled at the next open
    sum_f = sum_s = 0.0
    prev_f = prev_s = math.nan
    for i in range(n):
        o, c = opens[i], closes[i]
        if pending == "buy":
            q_want = math.floor(SIZE * cash / (o * (1 + FEE)) / STEP) / 1e8
            cost = q_want * o
            cash -= cost + cost * FEE
            qty = q_want
        elif pending == "sell":
            value = qty * o
            cash += value - value * FEE
            qty = 0.0
            trades += 1
        pending = None
        equity = cash + qty * c
        sum_f += c
        sum_s += c
        if i >= fast:
            sum_f -= closes[i - fast]
        if i >= slow:
            sum_s -= closes[i - slow]
        f = sum_f / fast if i >= fast - 1 else math.nan
        s = sum_s / slow if i >= slow - 1 else math.nan
        if i >= slow and i < n - 1:
            if prev_f < prev_s and f > s and qty == 0.0:
                pending = "buy"
            elif prev_f > prev_s and f < s and qty > 0.0:
                pending = "sell"
        prev_f, prev_s = f, s
    return trades, equity


def main():
    path = sys.argv[1]
    fast = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    slow = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    t0 = time.perf_counter()
    _ts, opens, closes = read(path)
    t1 = time.perf_counter()
    trades, equity = run(opens, closes, fast, slow)
    t2 = time.perf_counter()
    print(json.dumps({
        "rows": len(closes),
        "trades": trades,
        "final_equity": round(equity, 2),
        "read_s": round(t1 - t0, 3),
        "loop_s": round(t2 - t1, 3),
        "total_s": round(t2 - START, 3),
    }))


if __name__ == "__main__":
    main()
