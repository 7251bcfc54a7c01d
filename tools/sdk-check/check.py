"""Independent-client check: DhanHQ's official Python SDK (dhanhq 2.3.0) against a running dhan-sim.

Usage: python check.py PORT   (dhan-sim started with --speed 0, so prices hold still while we compare)

Places and cancels an order, reads the order book, positions, fund limit, option chain, expiry list,
intraday candles and expired options data through the SDK's REST client, then decodes ticker, quote and full packets for NIFTY and
one option with the SDK's own market-feed client and checks them against the simulator's REST quotes.
"""

import datetime
import sys

from dhanhq import DhanContext, MarketFeed, dhanhq

port = int(sys.argv[1])
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def data(response, what):
    check(response.get("status") == "success", f"{what}: status success ({response.get('remarks', '')})")
    return response.get("data")


ctx = DhanContext("SIMCLIENT", "SIMTOKEN")
ctx.get_dhan_http().base_url = f"http://127.0.0.1:{port}/v2"
dhan = dhanhq(ctx)

# Expiry list and option chain.
expiries = data(dhan.expiry_list(13, "IDX_I"), "expiry list")["data"]
check(len(expiries) >= 2 and expiries == sorted(expiries), f"expiry list ascending: {expiries}")
chain = data(dhan.option_chain(13, "IDX_I", expiries[0]), "option chain")["data"]
spot = chain["last_price"]
strikes = sorted(chain["oc"].keys(), key=float)
check(all(k.endswith(".000000") for k in strikes), f"strike keys like 25650.000000 ({strikes[0]})")
atm = min(strikes, key=lambda k: abs(float(k) - spot))
ce = chain["oc"][atm]["ce"]
check(ce["top_bid_price"] < ce["top_ask_price"] and ce["implied_volatility"] > 1, f"ATM {atm} CE quote {ce['top_bid_price']}/{ce['top_ask_price']} IV {ce['implied_volatility']}")
option_id = str(ce["security_id"])

# Intraday candles of NIFTY for the simulated day and the days before.
clock = __import__("json").loads(__import__("urllib.request").request.urlopen(f"http://127.0.0.1:{port}/sim/clock").read())
day = datetime.date.fromisoformat(clock["date"])
candles = data(
    dhan.intraday_minute_data("13", "IDX_I", "INDEX", str(day - datetime.timedelta(days=7)), str(day + datetime.timedelta(days=1))),
    "intraday candles",
)
check(len(candles["timestamp"]) > 375 and len(candles["open"]) == len(candles["timestamp"]), f"{len(candles['timestamp'])} one-minute bars over several days")
first = datetime.datetime.fromtimestamp(candles["timestamp"][0], datetime.timezone.utc)
check((first.hour, first.minute) == (3, 45), f"first bar starts 09:15 IST = 03:45Z ({first.isoformat()})")

# Expired options data (rolling, by strike relative to the spot) for the week before the simulated day.
rolling = data(
    dhan.expired_options_data(
        "13", "NSE_FNO", "OPTIDX", "WEEK", 1, "ATM", "CALL", ["open", "high", "low", "close", "strike", "spot"],
        str(day - datetime.timedelta(days=8)), str(day - datetime.timedelta(days=1)), 5,
    ),
    "expired options data",
)["data"]
expired = rolling["ce"]
check(rolling["pe"] is None and len(expired["timestamp"]) >= 75 and len(expired["close"]) == len(expired["timestamp"]), f"{len(expired['timestamp'])} five-minute ATM call bars, pe null")
check(all(strike % 50 == 0 for strike in expired["strike"]) and expired["iv"] == [], "strikes on the 50-point grid, unrequested iv is []")
first = datetime.datetime.fromtimestamp(expired["timestamp"][0], datetime.timezone.utc)
check((first.hour, first.minute) == (3, 45), f"first expired-option bar starts 09:15 IST ({first.isoformat()})")

# A resting limit order (far below the market), then a cancel.
lot = 75 if day < datetime.date(2026, 1, 1) else 65
placed = data(dhan.place_order(option_id, "NSE_FNO", "BUY", lot, "LIMIT", "INTRADAY", 0.05, tag="sdkcheck-1"), "place order")
order_id = placed["orderId"]
book = data(dhan.get_order_list(), "order book")
check(any(o["orderId"] == order_id and o["orderStatus"] == "PENDING" for o in book), "order book shows the order PENDING")
by_tag = data(dhan.get_order_by_correlationID("sdkcheck-1"), "order by correlation id")
check(by_tag["orderId"] == order_id, "order found by correlation id")
cancelled = data(dhan.cancel_order(order_id), "cancel order")
check(cancelled["orderStatus"] == "CANCELLED", "cancel answers CANCELLED")

# A market order that fills: a position and a smaller balance.
funds_before = data(dhan.get_fund_limits(), "fund limit")["availabelBalance"]
data(dhan.place_order(option_id, "NSE_FNO", "BUY", lot, "MARKET", "INTRADAY", 0, tag="sdkcheck-2"), "market order")
positions = data(dhan.get_positions(), "positions")
check(any(p["securityId"] == option_id and p["netQty"] == lot for p in positions), f"positions show {lot} long")
funds_after = data(dhan.get_fund_limits(), "fund limit")["availabelBalance"]
check(abs((funds_before - funds_after) - lot * ce["top_ask_price"]) < 0.01, f"balance fell by the fill value ({funds_before} -> {funds_after})")

# Market feed through the SDK's own client and decoder.
quotes = data(dhan.quote_data({"IDX_I": [13], "NSE_FNO": [int(option_id)]}), "market quote")["data"]
nifty_ltp = quotes["IDX_I"]["13"]["last_price"]
option_ltp = quotes["NSE_FNO"][option_id]["last_price"]
MarketFeed.market_feed_wss = f"ws://127.0.0.1:{port}"
feed = MarketFeed(ctx, [(MarketFeed.IDX, "13", MarketFeed.Ticker), (MarketFeed.IDX, "13", MarketFeed.Quote), (MarketFeed.NSE_FNO, option_id, MarketFeed.Full)], "v2")
feed.run_forever()
seen = {}
for _ in range(30):
    packet = feed.get_data()
    if packet and packet.get("type") in ("Ticker Data", "Quote Data", "Full Data"):
        seen[(packet["type"], packet["security_id"])] = packet
    if len(seen) >= 3:
        break
ticker = seen.get(("Ticker Data", 13)) or {}
quote = seen.get(("Quote Data", 13)) or {}
full = seen.get(("Full Data", int(option_id))) or {}
check(ticker.get("LTP") == f"{nifty_ltp:.2f}", f"ticker NIFTY LTP {ticker.get('LTP')} == {nifty_ltp:.2f}")
check(quote.get("LTP") == f"{nifty_ltp:.2f}", f"quote NIFTY LTP {quote.get('LTP')} == {nifty_ltp:.2f}")
check(full.get("LTP") == f"{option_ltp:.2f}", f"full option LTP {full.get('LTP')} == {option_ltp:.2f}")
depth = full.get("depth") or [{}]
check(depth[0].get("bid_price") == f"{ce['top_bid_price']:.2f}" and depth[0].get("ask_price") == f"{ce['top_ask_price']:.2f}", f"full depth level 0 {depth[0].get('bid_price')}/{depth[0].get('ask_price')}")
check(ticker.get("LTT") == clock["ist"][11:], f"LTT shows IST clock time {ticker.get('LTT')} (sim {clock['ist'][11:]})")
check(full.get("OI", 0) > 0 and full.get("volume", 0) > 0, f"full OI {full.get('OI')} volume {full.get('volume')}")
feed.close_connection()

print(f"\n{'PASS' if not failures else 'FAIL'}: official dhanhq SDK against dhan-sim ({len(failures)} failures)")
sys.exit(1 if failures else 0)
