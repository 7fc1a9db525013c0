#!/usr/bin/python3
"""Damage one member of a workbook's zip the way a bad disk, a broken mail
gateway or a careless tool would, leaving every other byte as it was: the
central directory still describes the member as it was written. For the
tests that every member is checked, read or not. Rerun it any time.

    damage_zip.py IN.xlsx OUT.xlsx MODE (--sheet NAME | --member PATH)

MODE: data  flips bytes in the middle of the member's compressed data
      crc   changes the CRC-32 the central directory records for it
      size  changes the uncompressed size the central directory records
--sheet names a worksheet by its tab name (記入要領), --member a part.
"""
import re
import struct
import sys
import zipfile


def sheet_member(z, name):
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        n = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if n and rid and n.group(1) == name:
            for r in re.finditer(r"<Relationship\b[^>]*>", rels):
                if re.search(r'\bId="%s"' % re.escape(rid.group(1)), r.group(0)):
                    target = re.search(r'\bTarget="([^"]*)"', r.group(0)).group(1)
                    return target.lstrip("/") if target.startswith("/") else "xl/" + target
    sys.exit("damage_zip: no sheet named %s" % name)


def main():
    args = sys.argv[1:]
    if len(args) != 5 or args[3] not in ("--sheet", "--member"):
        sys.exit(__doc__)
    src, dst, mode, kind, what = args
    data = bytearray(open(src, "rb").read())
    with zipfile.ZipFile(src) as z:
        member = sheet_member(z, what) if kind == "--sheet" else what
        info = z.getinfo(member)
    # the central directory entry (signature PK 1 2, the name at +46)
    name = member.encode("utf-8")
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        nlen = struct.unpack_from("<H", data, cd + 28)[0]
        if bytes(data[cd + 46:cd + 46 + nlen]) == name:
            break
        cd = data.find(b"PK\x01\x02", cd + 4)
    if cd < 0:
        sys.exit("damage_zip: %s not in the central directory" % member)
    if mode == "data":
        h = info.header_offset
        nlen, xlen = struct.unpack_from("<HH", data, h + 26)
        start = h + 30 + nlen + xlen
        mid = start + info.compress_size // 2
        for k in range(8):
            data[mid + k] ^= 0x5A
    elif mode == "crc":
        crc = struct.unpack_from("<I", data, cd + 16)[0]
        struct.pack_into("<I", data, cd + 16, crc ^ 0x00010001)
    elif mode == "size":
        usize = struct.unpack_from("<I", data, cd + 24)[0]
        struct.pack_into("<I", data, cd + 24, usize + 7)
    else:
        sys.exit(__doc__)
    open(dst, "wb").write(data)
    print(member)


if __name__ == "__main__":
    main()
