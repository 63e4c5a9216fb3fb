#!/usr/bin/python3
"""Case f of tests/bench/run.sh: the debug adapter as VS Code drives it.

usage: dap_bench.py KDUMPDEBUG VMLINUX VMCORE

Starts `KDUMPDEBUG dap` and speaks DAP on its stdio: initialize, then
  first_stack_s     launch -> configurationDone -> stopped -> threads -> stackTrace of the
                    stopped thread: seconds from sending launch to the stackTrace response
                    (what a user waits for between F5 and the Call Stack pane);
  scopes_ms         scopes + variables (Arguments, Locals) of the top frame;
  task_struct_ms    `variables` for a struct task_struct's members (the panic task, reached
                    as `*(struct task_struct *)ADDR` from `ps`'s '>' line; init_task when
                    that fails): the Variables pane expanding a task_struct, first time;
  task_struct2_ms   the same for a second task_struct (types already built).
Prints one line `first_stack_s=... launch_s=... threads_s=... scopes_ms=... task_struct_ms=... task_struct2_ms=...
task_members=N`. Standard library only.
"""

import json
import subprocess
import sys
import time


class Dap:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.seq = 0
        self.pending = []

    def send(self, command, arguments=None):
        self.seq += 1
        msg = {"seq": self.seq, "type": "request", "command": command}
        if arguments is not None:
            msg["arguments"] = arguments
        data = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.p.stdin.flush()
        return self.seq

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("dap_bench: the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def wait(self, match):
        for i, m in enumerate(self.pending):
            if match(m):
                return self.pending.pop(i)
        while True:
            m = self.read()
            if match(m):
                return m
            self.pending.append(m)

    def request(self, command, arguments=None):
        seq = self.send(command, arguments)
        r = self.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq)
        if not r.get("success"):
            raise SystemExit(f"dap_bench: {command} failed: {r.get('message')}")
        return r.get("body") or {}


def main():
    kdd, vmlinux, vmcore = sys.argv[1:4]
    dap = Dap([kdd, "dap"])
    dap.request("initialize", {"adapterID": "kdump", "linesStartAt1": True})
    start = time.perf_counter()
    dap.request("launch", {"vmcore": vmcore, "vmlinux": vmlinux})
    launched = time.perf_counter() - start
    dap.request("configurationDone")
    stopped = dap.wait(lambda m: m.get("type") == "event" and m.get("event") == "stopped")
    dap.request("threads")
    threads = time.perf_counter() - start
    frames = dap.request("stackTrace", {"threadId": stopped["body"]["threadId"], "startFrame": 0, "levels": 20})["stackFrames"]
    first_stack = time.perf_counter() - start

    t = time.perf_counter()
    scopes = dap.request("scopes", {"frameId": frames[0]["id"]})["scopes"]
    for s in scopes[:2]:
        dap.request("variables", {"variablesReference": s["variablesReference"]})
    scopes_ms = (time.perf_counter() - t) * 1000

    # The panic task's address: ps marks the tasks on a CPU with '>'; its thread is the stopped one.
    ps = dap.request("evaluate", {"expression": "ps", "context": "repl"})["result"].splitlines()
    addresses = [l.split()[4] for l in ps if l.startswith(">")]
    first = f"*(struct task_struct *)0x{addresses[0]}" if addresses else "init_task"
    second = f"*(struct task_struct *)0x{addresses[1]}" if len(addresses) > 1 else "*init_task.group_leader"
    times = []
    members = 0
    for expression in (first, second):
        ref = dap.request("evaluate", {"expression": expression, "context": "hover"})["variablesReference"]
        t = time.perf_counter()
        members = len(dap.request("variables", {"variablesReference": ref})["variables"])
        times.append((time.perf_counter() - t) * 1000)
    dap.request("disconnect")
    dap.p.stdin.close()
    dap.p.wait(timeout=30)
    print(f"first_stack_s={first_stack:.3f} launch_s={launched:.3f} threads_s={threads:.3f} scopes_ms={scopes_ms:.1f} task_struct_ms={times[0]:.1f} "
          f"task_struct2_ms={times[1]:.1f} task_members={members}")


if __name__ == "__main__":
    main()
