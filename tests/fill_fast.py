#!/usr/bin/python3
"""Fill many issued tenken workbooks quickly, by editing their sheet XML.

For `make bench` and `make demo` (thousands of staff workbooks, where
openpyxl would take minutes): each item's answer cell and the cover's
inputs get a value typed as an inline string, the rest of the file is
copied byte for byte. Like fill_workbooks.py it knows only what the workbook
says: the hidden identity sheet names the item rows, the answer column and
the cover inputs; the answer list is the data validation's.

    fill_fast.py [--seed N] [--unanswered P] OUTDIR FILE...

A staff workbook's cover gets the person's own staff number.
"""
import argparse
import html
import os
import random
import re
import sys
import zipfile

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_paths(z):
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    target.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        t = target[m.group(2)]
        out[html.unescape(m.group(1))] = t[1:] if t.startswith("/") else "xl/" + t
    return out


def shared_strings(z):
    try:
        x = z.read("xl/sharedStrings.xml").decode()
    except KeyError:
        return []
    return [html.unescape(re.sub(r"<[^>]+>", "", m.group(1))) for m in re.finditer(r"<si>(.*?)</si>", x, re.S)]


def cells(xml, sst):
    """(row, col letters) -> text of every cell with a value."""
    out = {}
    for m in re.finditer(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S):
        col, row, attrs, body = m.group(1), int(m.group(2)), m.group(3), m.group(4) or ""
        v = re.search(r"<v>(.*?)</v>", body)
        if 't="s"' in attrs and v:
            out[(row, col)] = sst[int(v.group(1))]
        elif 't="inlineStr"' in attrs:
            out[(row, col)] = html.unescape(re.sub(r"<[^>]+>", "", body))
        elif v:
            out[(row, col)] = v.group(1)
    return out


def identity(z, paths, sst):
    c = cells(z.read(paths["_tenken"]).decode(), sst)
    rows = sorted({r for r, _ in c})
    kv, items, table = {}, [], False
    for r in rows:
        a = c.get((r, "A"))
        if a is None:
            continue
        if table:
            items.append((c.get((r, "C")), int(float(c.get((r, "D"))))))
        elif a == "seq":
            table = True
        else:
            kv[a] = (c.get((r, "B"), ""), c.get((r, "C"), ""))
    return kv, items


def set_cell(xml, ref, value):
    """Give the empty cell ref an inline string value."""
    v = html.escape(value, quote=False)
    pat = re.compile(r'<c r="%s"( s="\d+")?/>' % ref)
    new, n = pat.subn(lambda m: '<c r="%s"%s t="inlineStr"><is><t>%s</t></is></c>' % (ref, m.group(1) or "", v), xml, 1)
    if n == 0:
        sys.exit(f"fill_fast: セル {ref} が空のセルとして見つかりません")
    return new


def fill(path, outdir, rng, unanswered):
    with zipfile.ZipFile(path) as z:
        paths = sheet_paths(z)
        sst = shared_strings(z)
        kv, items = identity(z, paths, sst)
        col = kv["column.answer"][0]
        sheets = {}
        scale = None
        for sheet, _ in items:
            if sheet not in sheets:
                sheets[sheet] = z.read(paths[sheet]).decode()
                m = re.search(r'<dataValidation type="list"[^>]*sqref="[^"]*%s\d+[^"]*"[^>]*>\s*<formula1>"([^<]*)"</formula1>' % col,
                              sheets[sheet])
                if m and not scale:
                    scale = html.unescape(m.group(1)).split(",")
        if not scale:
            sys.exit(f"{path}: 回答の選択肢 (入力規則) が見つかりません")
        quality = rng.uniform(0.6, 0.97)
        for sheet, row in items:
            if rng.random() < unanswered:
                continue
            x = rng.random()
            value = scale[0] if x < quality else rng.choice(scale[1:-1])
            sheets[sheet] = set_cell(sheets[sheet], f"{col}{row}", value)
        for key, (sheet, cell) in kv.items():
            if key.startswith("cover.") and cell:
                name = key[len("cover."):]
                text = kv["respondent"][0] if name == "staff-number" and "respondent" in kv else "記入済み"
                if sheet not in sheets:
                    sheets[sheet] = z.read(paths[sheet]).decode()
                sheets[sheet] = set_cell(sheets[sheet], cell, text)
        out = os.path.join(outdir, os.path.basename(path))
        changed = {paths[s]: x for s, x in sheets.items()}
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as w:
            for info in z.infolist():
                data = changed[info.filename].encode() if info.filename in changed else z.read(info.filename)
                w.writestr(info.filename, data)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--unanswered", type=float, default=0.0, help="share of items left unanswered")
    ap.add_argument("outdir")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for i, f in enumerate(args.files):
        fill(f, args.outdir, random.Random(args.seed * 100003 + i), args.unanswered)
    print(f"fill: {len(args.files)} 件の点検票に回答を記入しました ({args.outdir})")


if __name__ == "__main__":
    main()
