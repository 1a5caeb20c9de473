"""controller_watch.py CLIENT_JSON N - what a stock client sees of the engines.

Connects ("connected"), waits until the client lists N engines ("ready K"), then until
it lists none ("gone K UNIX_TIME", the wall-clock time it saw them gone). Each wait
gives up after 60 s (K then says how many there were)."""
import sys
import time

import ipyparallel as ipp

rc = ipp.Client(sys.argv[1])
print("connected", flush=True)
want = int(sys.argv[2])
t0 = time.monotonic()
while len(rc.ids) != want and time.monotonic() - t0 < 60:
    time.sleep(0.02)
print("ready", len(rc.ids), flush=True)
t0 = time.monotonic()
while rc.ids and time.monotonic() - t0 < 60:
    time.sleep(0.01)
print("gone", len(rc.ids), "%.3f" % time.time(), flush=True)
