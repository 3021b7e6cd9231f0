#!/usr/bin/python3
"""Write a scene of N small spheres on a ground grid, seen towards the horizon.

    tools/many_spheres.py N > scene.json

Rows near the horizon see many spheres and cost up to ten times more than the
rest: a render whose cost per row varies, for testing how clrender sizes its
launches (clrender sphere --scene scene.json --size 192x108 --timings).
"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
side = int(n ** 0.5) + 1
spheres = []
for i in range(n):
    x = round((i % side) / side * 20 - 10, 3)
    z = round((i // side) / side * 20 - 25, 3)
    spheres.append({"center": [x, round(0.1 * ((i * 7) % 13), 2), z], "radius": 0.08,
                    "material": {"diffuse": [0.5, 0.5, 0.7], "reflectivity": 0.2}})
scene = {"camera": {"position": [0, 4, 8], "look_at": [0, 0, -10], "fov": 50},
         "background": [0.3, 0.4, 0.6], "ambient": [0.1, 0.1, 0.1],
         "lights": [{"position": [5, 10, 5], "intensity": 1.0}], "spheres": spheres}
json.dump(scene, sys.stdout, separators=(",", ":"))
