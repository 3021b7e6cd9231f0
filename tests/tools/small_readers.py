"""Small readers the end-to-end tests use to check clrender's files independently of it:
PNG of any bit depth (zlib and the five row filters, as the PNG specification defines them)
and scanline OpenEXR with NONE or ZIP compression (the layout of OpenEXR's file format
document). Only what the tests need; numpy is the one dependency."""
import struct
import zlib

import numpy as np


def read_png(path):
    """(pixels as uint8 or uint16 array (H, W) or (H, W, C), {text key: value})."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, text = 8, [], {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"tEXt":
            key, value = body.split(b"\0", 1)
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, rest = body.split(b"\0", 1)
            assert rest[0] == 0, "compressed iTXt"
            value = rest[2:].split(b"\0", 2)[2]
            text[key.decode("latin-1")] = value.decode("utf-8")
        pos += 12 + length
    channels = {0: 1, 2: 3}[colour]
    bpp = channels * depth // 8
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    rows = np.zeros((height, stride), np.int32)
    previous = np.zeros(stride, np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        out = np.zeros(stride, np.int32)
        for x in range(stride):
            a = out[x - bpp] if x >= bpp else 0
            b = previous[x]
            c = previous[x - bpp] if x >= bpp else 0
            if kind == 0:
                p = 0
            elif kind == 1:
                p = a
            elif kind == 2:
                p = b
            elif kind == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else b if pb <= pc else c
            out[x] = (line[x] + p) & 255
        rows[y] = previous = out
    pixels = rows.astype(np.uint8)
    if depth == 16:
        pixels = pixels.reshape(height, width * channels, 2).astype(np.uint16)
        pixels = pixels[:, :, 0] << 8 | pixels[:, :, 1]
    pixels = pixels.reshape((height, width, channels) if channels > 1 else (height, width))
    return pixels, text


def read_exr(path):
    """(float32 array (H, W) for Y or (H, W, 3) for R, G, B, {string attribute: value})."""
    data = open(path, "rb").read()
    assert data[:4] == b"\x76\x2f\x31\x01", "not an OpenEXR file"
    pos, attributes, strings = 8, {}, {}
    while data[pos] != 0:
        name_end = data.index(b"\0", pos)
        type_end = data.index(b"\0", name_end + 1)
        name, kind = data[pos:name_end].decode(), data[name_end + 1:type_end].decode()
        size = struct.unpack("<i", data[type_end + 1:type_end + 5])[0]
        value = data[type_end + 5:type_end + 5 + size]
        attributes[name] = (kind, value)
        if kind == "string":
            strings[name] = value.decode("utf-8")
        pos = type_end + 5 + size
    pos += 1
    names, channel_list = [], attributes["channels"][1]
    while channel_list[0] != 0:
        end = channel_list.index(b"\0")
        names.append(channel_list[:end].decode())
        assert struct.unpack("<i", channel_list[end + 1:end + 5])[0] == 2, "FLOAT channels only"
        channel_list = channel_list[end + 17:]
    x0, y0, x1, y1 = struct.unpack("<iiii", attributes["dataWindow"][1])
    width, height = x1 - x0 + 1, y1 - y0 + 1
    compression = attributes["compression"][1][0]
    lines = {0: 1, 3: 16, 2: 1}[compression]  # NONE, ZIP (16 lines), ZIPS (1 line)
    chunks = (height + lines - 1) // lines
    offsets = struct.unpack("<%dQ" % chunks, data[pos:pos + 8 * chunks])
    planes = {n: np.zeros((height, width), np.float32) for n in names}
    for offset in offsets:
        y, size = struct.unpack("<ii", data[offset:offset + 8])
        block = data[offset + 8:offset + 8 + size]
        count = min(lines, y1 + 1 - y)
        expected = count * width * 4 * len(names)
        if compression != 0 and size < expected:
            packed = np.frombuffer(zlib.decompress(block), np.uint8).astype(np.int32)
            undone = np.cumsum(np.concatenate(([packed[0]], packed[1:] - 128))) & 255
            half = (len(undone) + 1) // 2
            block = np.empty(len(undone), np.uint8)
            block[0::2], block[1::2] = undone[:half], undone[half:]
            block = block.tobytes()
        values = np.frombuffer(block, "<f4").reshape(count, len(names), width)
        for i, n in enumerate(names):
            planes[n][y - y0:y - y0 + count] = values[:, i]
    if names == ["Y"]:
        return planes["Y"], strings
    return np.stack([planes["R"], planes["G"], planes["B"]], axis=2), strings
