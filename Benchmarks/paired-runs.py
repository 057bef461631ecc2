#!/usr/bin/env python3
"""Paired timing of several commands on one input, for the bench-*.sh scripts on a shared machine.

paired-runs.py RUNS CMD1 ;; CMD2 ;; ...   (commands separated by a ';;' argument; stdout and stderr discarded)

Runs the commands in turn RUNS times (rotating which goes first, after one untimed warm-up round) and prints one
line per command: "median_wall_ms median_cpu_ms ok" where CPU time is user + system of the child (wait4 rusage),
or "0 0 fail" when the command exited non-zero. Interleaving makes load from other processes hit every command
alike; the ratios of the medians are what the scripts report."""
import os
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
commands, current = [], []
for arg in sys.argv[2:]:
    if arg == ";;":
        commands.append(current)
        current = []
    else:
        current.append(arg)
if current:
    commands.append(current)


def once(cmd):
    start = time.perf_counter_ns()
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(cmd, stdout=null, stderr=null)
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, os.waitstatus_to_exitcode(status) == 0


samples = [[] for _ in commands]
ok = [True] * len(commands)
for i in range(len(commands)):
    ok[i] = once(commands[i])[2]
for r in range(runs):
    for k in range(len(commands)):
        i = (k + r) % len(commands)
        if ok[i]:
            wall, cpu, good = once(commands[i])
            ok[i] = ok[i] and good
            samples[i].append((wall, cpu))
for i in range(len(commands)):
    if ok[i] and samples[i]:
        print("%.2f %.2f ok" % (statistics.median(s[0] for s in samples[i]), statistics.median(s[1] for s in samples[i])))
    else:
        print("0 0 fail")
