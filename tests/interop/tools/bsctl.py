#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends one command to baresip's ctrl_tcp module on 127.0.0.1 (netstring
framed JSON) and exits 0 when baresip answers ok.
   bsctl.py PORT COMMAND [PARAMS...]      e.g. bsctl.py 4446 dial sip:a@127.0.0.1
"""
import json
import socket
import sys
import time


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    token = "vox%d" % time.time_ns()
    cmd = json.dumps({"command": sys.argv[2], "params": " ".join(sys.argv[3:]),
                      "token": token}).encode()
    sock.sendall(b"%d:%s," % (len(cmd), cmd))
    buf = b""
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        while b":" in buf:
            n, _, rest = buf.partition(b":")
            if not n.isdigit() or len(rest) < int(n) + 1:
                break
            msg = json.loads(rest[:int(n)])
            buf = rest[int(n) + 1:]
            if msg.get("response") and msg.get("token") == token:
                print(msg.get("data", ""))
                return 0 if msg.get("ok") else 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
