"""Runs a command with its standard input (and, unless asked otherwise, its standard error) on a pseudo-terminal that
is its controlling terminal, as a shell at a terminal would, and types into it.

Usage: python3 pty-driver.py SPEC_JSON
  SPEC_JSON: {"argv": [...], "stderrPipe": false, "steps": [{"waitFor": "regex", "send": "text"}], "timeoutS": 60}
  Each step waits until `waitFor` matches what the terminal (or, with stderrPipe, standard error) has shown since the
  previous step's match, then types `send`. Standard output is always a pipe, read apart.
Prints one JSON line: {"code": exit code or -signal, "terminal": ..., "stdout": ..., "stderr": ..., "timedOut": bool}.
"""

import fcntl
import json
import os
import re
import select
import subprocess
import sys
import termios
import time

spec = json.loads(sys.argv[1])
deadline = time.monotonic() + spec.get("timeoutS", 60)
master, slave = os.openpty()
stderr_pipe = spec.get("stderrPipe", False)


def take_terminal():
    # A new session (start_new_session) whose controlling terminal is the pty: Ctrl-C there is SIGINT to the command.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


child = subprocess.Popen(
    spec["argv"],
    stdin=slave,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE if stderr_pipe else slave,
    start_new_session=True,
    preexec_fn=take_terminal,
    close_fds=True,
)
os.close(slave)

streams = {master: "terminal", child.stdout.fileno(): "stdout"}
if stderr_pipe:
    streams[child.stderr.fileno()] = "stderr"
text = {"terminal": "", "stdout": "", "stderr": ""}
watched = "stderr" if stderr_pipe else "terminal"
steps = list(spec.get("steps", []))
searched_from = 0
timed_out = False


def type_ready_steps():
    global searched_from
    while steps:
        match = re.compile(steps[0]["waitFor"]).search(text[watched], searched_from)
        if not match:
            return
        searched_from = match.end()
        os.write(master, steps.pop(0)["send"].encode("utf-8"))


open_streams = set(streams)
while open_streams:
    type_ready_steps()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        timed_out = True
        child.kill()
        break
    ready, _, _ = select.select(list(open_streams), [], [], remaining)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            data = b""
        if not data:
            open_streams.discard(fd)
            continue
        text[streams[fd]] += data.decode("utf-8", "replace")

code = child.wait()
print(json.dumps({**text, "code": code, "timedOut": timed_out, "stepsLeft": len(steps)}))
