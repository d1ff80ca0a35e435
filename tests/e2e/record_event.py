"""The `run` action of the end-to-end tests: records that it ran.

    record_event.py OUT_FILE [SLEEP_SECONDS]

Sleeps first (a slow action gives a crash something to interrupt), then
appends one line "EWSTRIGD_EVENT_ID EWSTRIGD_SUBJECT" to OUT_FILE with a
single O_APPEND write, so concurrent runs never interleave their lines.
"""
import os
import sys
import time

out_file = sys.argv[1]
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 0)
line = f"{os.environ['EWSTRIGD_EVENT_ID']} {os.environ['EWSTRIGD_SUBJECT']}\n"
fd = os.open(out_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
try:
    os.write(fd, line.encode())
finally:
    os.close(fd)
