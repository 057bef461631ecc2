"""Slowloris clients from one process: N sockets each trickle a request one byte per INTERVAL seconds, round-robin.
Prints how many were answered with 408 and closed by the server.

usage: slowloris.py PORT N INTERVAL MAX_SECONDS
"""
import socket, sys, time

port, n, interval, max_seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
request = b"GET /rocket.jpg HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 40 + b"\r\n\r\n"
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
for s in socks:
    s.setblocking(False)
sent = [0] * n
answers = [b""] * n
done = [False] * n
deadline = time.time() + max_seconds
while not all(done) and time.time() < deadline:
    for i, s in enumerate(socks):
        if done[i]:
            continue
        try:
            chunk = s.recv(4096)
            if chunk:
                answers[i] += chunk
            else:
                done[i] = True
                continue
        except BlockingIOError:
            pass
        except ConnectionResetError:
            done[i] = True
            continue
        if sent[i] < len(request):
            try:
                s.send(request[sent[i]:sent[i] + 1])
                sent[i] += 1
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
    time.sleep(interval)
cut = sum(1 for i in range(n) if done[i] and answers[i].startswith(b"HTTP/1.1 408"))
print(cut)
