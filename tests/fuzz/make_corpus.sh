#!/bin/sh
# Rebuild the seed inputs of tests/fuzz/corpus/ (run from the repository
# root after `make all`): small files of each kind the harnesses read, and
# the inputs of problems found so far (found-*; add every new one there, by
# hand or here, with the issue it comes from).
#
#   sh tests/fuzz/make_corpus.sh [TENKEN]
set -eu
TENKEN=${1:-build/tenken}
C=tests/fuzz/corpus
mkdir -p $C/xlsx $C/policy $C/lists
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- xlsx: other tools' files, an issued workbook, a filled one, broken zips
cp tests/fixtures/openpyxl_basic.xlsx tests/fixtures/libreoffice_basic.xlsx tests/fixtures/openpyxl_1904.xlsx $C/xlsx/
"$TENKEN" generate --org amakura --year 2026 --department 02 --out "$tmp/out" --db "$tmp/t.db" -q >/dev/null
issued=$(ls "$tmp"/out/amakura/2026-self/*.xlsx | head -1)
cp "$issued" $C/xlsx/seed-issued.xlsx
/usr/bin/python3 tests/fill_workbooks.py --seed 3 "$tmp/filled" "$issued" >/dev/null
cp "$tmp"/filled/*.xlsx $C/xlsx/seed-filled.xlsx
/usr/bin/python3 - "$issued" $C/xlsx "$tmp"/filled/*.xlsx <<'PY'
import sys, zipfile
src, out, filled = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, "rb").read()


def damaged(path, member):
    """path's bytes with member's compressed data changed: its CRC fails."""
    raw = bytearray(open(path, "rb").read())
    info = zipfile.ZipFile(path).getinfo(member)
    # the local header is 30 bytes, then the name and its own extra field
    n = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
    m = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    off = info.header_offset + 30 + n + m + info.compress_size // 2
    raw[off] ^= 0xFF
    return bytes(raw)


open(out + "/seed-bad-crc.xlsx", "wb").write(damaged(src, "[Content_Types].xml"))
# issue 15 (4): a filled workbook whose instructions sheet (記入要領), a
# part ingest does not read, has broken compressed data
open(out + "/found-15-unread-part-bad-crc.xlsx", "wb").write(damaged(filled, "xl/worksheets/sheet2.xml"))
open(out + "/seed-truncated.xlsx", "wb").write(data[: len(data) // 2])
open(out + "/seed-empty.xlsx", "wb").write(b"")
PY

# --- policy: the head of each style the derive tests know, other encodings,
# deep numbering
for f in tests/derive_styles/*.txt; do
    head -n 60 "$f" > $C/policy/seed-$(basename "$f")
done
head -n 40 tests/derive_styles/jichitai_machi.txt | iconv -f UTF-8 -t CP932 > $C/policy/seed-sjis.txt
{ printf '\377\376'; head -n 40 tests/derive_styles/kitei_kosha.txt | iconv -f UTF-8 -t UTF-16LE; } > $C/policy/seed-utf16.txt
# issue 15 (3): numbering nested deep in mixed styles (derive was quadratic)
/usr/bin/python3 tests/gen_deep_policy.py 300 > $C/policy/found-15-deep-numbering.txt

# --- lists: the small organisations' checklist.xml and org.xml
cp checklists/amakura/checklist.xml $C/lists/seed-amakura-checklist.xml
cp checklists/amakura/org.xml $C/lists/seed-amakura-org.xml
cp checklists/toride/org.xml $C/lists/seed-toride-org.xml
cp checklists/ogasawara/checklist.xml $C/lists/seed-ogasawara-checklist.xml
cat > $C/lists/seed-doctype.xml <<'XML'
<?xml version="1.0"?>
<!DOCTYPE org [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<org id="x" xmlns="urn:tenken:org:1"><role id="&b;" name="&b;"/></org>
XML
