#!/usr/bin/env python3
"""Best-of-N CPU time (user + system, children) of a command in milliseconds: cpu-ms.py N OUTFILE CMD ARGS...
Standard output of the command goes to OUTFILE. CPU time rather than wall time because the machine is shared."""
import resource
import subprocess
import sys

repeat, out_path, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for _ in range(repeat):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_path, "wb") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    best = t if best is None else min(best, t)
print("%.1f" % best)
