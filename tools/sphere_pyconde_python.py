#!/usr/bin/python3
"""The pyconde seed's one-sphere shader in pure Python, the way the talk wrote it.

    tools/sphere_pyconde_python.py [-o p.ppm] [--size 800x600]

A small vector class with operators, one function that shades a pixel, a loop over
the pixels: no numpy, nothing compiled. This is the program `clrender sphere --preset
pyconde` is measured against (tools/startup_bench.py). Its maths is that of
include/clrender/sphere.h's pyconde, in the same order of operations, so its PPM is
byte for byte the one clrender writes:

    tools/sphere_pyconde_python.py -o py.ppm
    clrender sphere --preset pyconde -o cl.ppm && cmp py.ppm cl.ppm

The time the render took (the loop and the encoding of the image, not the
interpreter's start) goes to stderr as "render: X ms".
"""
import argparse
import math
import sys
import time


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x, self.y, self.z = x, y, z

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y, self.z - other.z)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, other):
        return (self.x * other.x + self.y * other.y) + self.z * other.z

    def unit(self):
        length = math.sqrt(self.dot(self))
        return Vec(self.x / length, self.y / length, self.z / length)


def shade(x, y, width, height):
    """The colour of pixel (x, y): row y from the top."""
    p = Vec(8.0 * x / width, 6.0 * y / height, 0.0)
    v = Vec(0.0, 0.0, 1.0)
    q = Vec(4.0, 3.0, 10.0)
    r = 2.0
    light = Vec(8.0, 0.0, 7.0)
    d = p - q
    s = v.dot(d)
    disc = s * s - (d.dot(d) - r * r)
    if disc < 0.0:
        return (100, 100, 100)
    t = -s - math.sqrt(disc)
    hit = p + v * t
    n = (hit - q).unit()
    l = (light - hit).unit()
    return (int(max(math.trunc(255.0 * n.dot(l)), 30.0)), 0, 0)


def render(width, height):
    """The image as binary PPM bytes."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            pixels.extend(shade(x, y, width, height))
    return b"P6\n%d %d\n255\n" % (width, height) + bytes(pixels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", help="write the image here (binary PPM)")
    parser.add_argument("--size", default="800x600", help="WxH (default 800x600)")
    args = parser.parse_args()
    try:
        width, height = (int(v) for v in args.size.split("x"))
        if width < 1 or height < 1:
            raise ValueError
    except ValueError:
        parser.error(f"--size '{args.size}': expected WxH, two positive whole numbers")
    start = time.perf_counter()
    image = render(width, height)
    elapsed = time.perf_counter() - start
    if args.output:
        with open(args.output, "wb") as out:
            out.write(image)
    print(f"render: {elapsed * 1e3:.1f} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
