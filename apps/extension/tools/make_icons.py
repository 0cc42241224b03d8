#!/usr/bin/env python3
"""Draws the companion's icons (a sun over a gauge arc) as PNGs at 16, 32, 48 and 128 px.

Pure Python (zlib + struct): no downloaded asset, no imaging library. Run from anywhere:
    python3 apps/extension/tools/make_icons.py
It rewrites apps/extension/icons/icon{16,32,48,128}.png; the output is deterministic.
"""
import math
import os
import struct
import zlib

SIZES = (16, 32, 48, 128)
SUPERSAMPLE = 4
SUN = (245, 158, 11)       # amber
RAY = (234, 88, 12)        # deep orange
DISC = (255, 255, 255)     # the gauge face
NEEDLE = (30, 41, 59)      # slate


def shade(x, y):
    """The colour (r, g, b, a) at point (x, y) of the unit square [0,1]^2, or None."""
    cx, cy = 0.5, 0.5
    dx, dy = x - cx, y - cy
    r = math.hypot(dx, dy)
    angle = math.atan2(dy, dx)
    # Inner face with a needle pointing to "almost full" (upper right).
    if r <= 0.26:
        needle_angle = -math.pi / 4
        # distance from the needle segment
        nx, ny = math.cos(needle_angle), math.sin(needle_angle)
        t = max(0.0, min(0.22, dx * nx + dy * ny))
        px, py = cx + t * nx, cy + t * ny
        if math.hypot(x - px, y - py) <= 0.035 or r <= 0.05:
            return NEEDLE + (255,)
        return DISC + (255,)
    if r <= 0.34:
        return SUN + (255,)
    # Eight rays.
    if r <= 0.48:
        sector = (angle % (math.pi / 4)) - math.pi / 8
        half_width = 0.16 * (0.48 - r) / 0.14 + 0.02
        if abs(sector) <= half_width:
            return RAY + (255,)
    return None


def render(size):
    rows = []
    n = SUPERSAMPLE
    for j in range(size):
        row = bytearray([0])  # filter type 0
        for i in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sj in range(n):
                for si in range(n):
                    c = shade((i + (si + 0.5) / n) / size, (j + (sj + 0.5) / n) / size)
                    if c:
                        a = c[3] / 255.0
                        acc[0] += c[0] * a
                        acc[1] += c[1] * a
                        acc[2] += c[2] * a
                        acc[3] += a
            samples = n * n
            alpha = acc[3] / samples
            if alpha > 0:
                rgb = [round(acc[k] / acc[3]) for k in range(3)]
            else:
                rgb = [0, 0, 0]
            row += bytes(rgb + [round(alpha * 255)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, pixels):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels, 9))
            + chunk(b"IEND", b""))


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "icons")
    os.makedirs(out_dir, exist_ok=True)
    for size in SIZES:
        path = os.path.normpath(os.path.join(out_dir, f"icon{size}.png"))
        with open(path, "wb") as f:
            f.write(png(size, render(size)))
        print(path)


if __name__ == "__main__":
    main()
