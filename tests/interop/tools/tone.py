#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the strongest of a few candidate tones in a 16-bit mono WAV file
and its share of the signal power (Goertzel over the whole file), e.g.
"440 87": used to check what a peer heard. Usage: tone.py FILE.wav"""
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
    total = sum(v * v for v in x) / len(x)
    best, bestp = 0, 0.0
    for hz in CANDIDATES:
        k = 2 * math.cos(2 * math.pi * hz / rate)
        s1 = s2 = 0.0
        for v in x:
            s1, s2 = v + k * s1 - s2, s1
        p = (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (len(x) * len(x))
        if p > bestp:
            best, bestp = hz, p
    pct = int(100 * bestp / total) if total > 0 else 0
    print(best, min(pct, 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
