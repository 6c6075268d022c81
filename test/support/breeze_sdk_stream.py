"""ICICI's official Python SDK (breeze-connect), unchanged, against the Breeze emulator.

Points the SDK's `config` module at the emulator before importing the SDK, as
docs/breeze-api.md#streaming describes (the SDK imports its config as a top-level module named
`config` and downloads the security master at import), then: generate_session, ws_connect,
subscribe_feeds by stock code (the token looked up in the emulator's SecurityMaster.zip) and for
order notifications, place_order, and ws_disconnect. Prints one JSON line per event for
test/integration/breeze-sdk.test.ts, which moves the emulator's prices meanwhile.

Environment: EMU_API_URL, EMU_MASTER_URL, EMU_STREAM_URL, EMU_FEEDS_URL, EMU_APP_KEY,
EMU_SECRET_KEY, EMU_API_SESSION. Run it from a scratch directory: the SDK writes logs/ there.
"""
import importlib.util
import json
import os
import sys
import threading
import time

sys.path.insert(0, importlib.util.find_spec("breeze_connect").submodule_search_locations[0])
import config  # noqa: E402  the SDK's own config module, the one breeze_connect imports

config.API_URL = os.environ["EMU_API_URL"]
config.SECURITY_MASTER_URL = os.environ["EMU_MASTER_URL"]
config.LIVE_STREAM_URL = os.environ["EMU_STREAM_URL"]
config.LIVE_FEEDS_URL = os.environ["EMU_FEEDS_URL"]
config.LIVE_OHLC_STREAM_URL = os.environ["EMU_STREAM_URL"]

from breeze_connect import BreezeConnect  # noqa: E402

lock = threading.Lock()
say_lock = threading.Lock()
quotes, depths, orders = [], [], []
quoted, depthed, ordered = threading.Event(), threading.Event(), threading.Event()


def say(kind, value):
    # One write per line, one thread at a time: print() writes the text and its newline apart,
    # so the fill's notification (the SDK's socket thread) could land inside the "placed" line.
    with say_lock:
        sys.stdout.write(json.dumps({kind: value}, default=str) + "\n")
        sys.stdout.flush()


def on_ticks(tick):
    with lock:
        if tick.get("quotes") == "Quotes Data":
            quotes.append(tick)
            if len(quotes) == 1:
                say("quote", tick)
            quoted.set()
        elif tick.get("quotes") == "Market Depth":
            depths.append(tick)
            if len(depths) == 1:
                say("depth", tick)
            depthed.set()
        elif "orderReference" in tick:
            orders.append(tick)
            say("order", tick)
            if tick.get("orderStatus") == "Executed":
                ordered.set()


def wait(event, what):
    if not event.wait(20):
        say("error", f"no {what} within 20 s")
        sys.exit(1)


breeze = BreezeConnect(api_key=os.environ["EMU_APP_KEY"])
breeze.generate_session(api_secret=os.environ["EMU_SECRET_KEY"], session_token=os.environ["EMU_API_SESSION"])
say("session", {"user_id": breeze.user_id})
breeze.on_ticks = on_ticks
breeze.ws_connect()
say("subscribed", breeze.subscribe_feeds(exchange_code="NSE", stock_code="RELIND", product_type="cash"))
say("notifications", breeze.subscribe_feeds(get_order_notification=True))
wait(quoted, "quote tick")
wait(depthed, "depth tick")

placed = breeze.place_order(stock_code="RELIND", exchange_code="NSE", product="cash", action="buy", order_type="limit", quantity="1", price="2600.00", validity="day", user_remark="sdk")
say("placed", placed)
wait(ordered, "order notification of the fill")

say("disconnect", breeze.ws_disconnect())
time.sleep(0.5)
with lock:
    before = len(quotes)
time.sleep(2.5)
with lock:
    say("after_disconnect", len(quotes) - before)
say("done", True)
os._exit(0)  # python-socketio's threads would keep a reconnecting client alive
