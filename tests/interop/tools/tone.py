#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the strongest of a few candidate tones in a 16-bit mono WAV file
and its share of the signal power (Goertzel in 0.25 s blocks that carry
sound), e.g. "440 87": used to check what a peer heard. Usage: tone.py FILE.wav"""
import math
import struct
import sys
import wave

CANDIDATES = (300, 440, 697, 1000, 1209, 1500, 2000)


def main():
    w = wave.open(sys.argv[1], "rb")
    if w.getsampwidth() != 2:
        print("0 0")
        return 1
    rate, ch = w.getframerate(), w.getnchannels()
    raw = w.readframes(w.getnframes())
    x = struct.unpack("<%dh" % (len(raw) // 2), raw)[::ch]
    if not x:
        print("0 0")
        return 1
    # In blocks of 0.25 s that carry sound (a recording also holds the
    # silence before and after the call), the strongest candidate and its
    # share of the block's power; then the tone most blocks name.
    n = rate // 4
    blocks = [x[i:i + n] for i in range(0, len(x) - n + 1, n)]
    powers = [sum(v * v for v in b) / n for b in blocks]
    loud = max(powers) if powers else 0
    votes = {}
    for b, total in zip(blocks, powers):
        if loud == 0 or total < loud / 100:
            continue
        best, bestp = 0, 0.0
        for hz in CANDIDATES:
            k = 2 * math.cos(2 * math.pi * hz / rate)
            s1 = s2 = 0.0
            for v in b:
                s1, s2 = v + k * s1 - s2, s1
            p = (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (n * n)
            if p > bestp:
                best, bestp = hz, p
        votes.setdefault(best, []).append(bestp / total)
    if not votes:
        print("0 0")
        return 0
    best = max(votes, key=lambda h: len(votes[h]))
    pct = int(100 * sum(votes[best]) / len(votes[best]))
    print(best, min(pct, 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
