"""Sends raw bytes to 127.0.0.1:PORT and prints what comes back (latin-1), for tests curl cannot express.

usage: rawhttp.py PORT REQUEST [--trickle SECONDS_PER_BYTE] [--wait SECONDS] [--hold SECONDS]
REQUEST uses Python escapes (\\r\\n). --trickle sends one byte at a time (slowloris); --wait is how long to keep
reading after the last byte arrives (default 2 s); --hold keeps the connection open, silent, before sending.
Prints the bytes received, then a last line "CLOSED" if the server closed the connection, else "OPEN".
"""
import socket, sys, time

port = int(sys.argv[1])
request = sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1")
opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
trickle = float(opts.get("--trickle", 0))
wait = float(opts.get("--wait", 2))
hold = float(opts.get("--hold", 0))

s = socket.create_connection(("127.0.0.1", port), timeout=5)
received = b""
closed = False
if hold:
    s.settimeout(hold)
    try:
        chunk = s.recv(65536)
        received += chunk
        closed = chunk == b""
    except socket.timeout:
        pass
try:
    if not closed:
        if trickle:
            for i in range(len(request)):
                s.sendall(request[i:i + 1])
                time.sleep(trickle)
        else:
            s.sendall(request)
except (BrokenPipeError, ConnectionResetError):
    # The server gave up on us (e.g. 408): collect what it sent before closing.
    pass
s.settimeout(wait)
deadline = time.time() + 60
while not closed and time.time() < deadline:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        closed = True
        break
    if not chunk:
        closed = True
        break
    received += chunk
try:
    sys.stdout.write(received.decode("latin-1"))
    sys.stdout.write("\n" + ("CLOSED" if closed else "OPEN") + "\n")
except BrokenPipeError:
    pass
