#!/usr/bin/python3
"""Make damaged and tampered copies of a filled tenken workbook, for the
ingest tests: each is what a department might send back by mistake (or on
purpose). Rerun it any time: it writes OUTDIR/NAME.xlsx for each case.

    make_variants.py FILLED.xlsx OTHER_DEPARTMENT.xlsx OUTDIR
"""
import os
import sys
import warnings
import zipfile

import openpyxl

IDENTITY = "_tenken"


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def identity(wb):
    ws = wb[IDENTITY]
    kv, rows, in_table = {}, [], False
    for r in ws.iter_rows():
        if r[0].value is None:
            continue
        if in_table:
            rows.append(r)
        elif r[0].value == "seq":
            in_table = True
        else:
            kv[str(r[0].value)] = r
    return kv, rows


def item_rows(wb):
    kv, rows = identity(wb)
    col = {k[len("column."):]: v[1].value for k, v in kv.items() if k.startswith("column.")}
    return kv, rows, col


def variant(src, out, name, change):
    wb = load(src)
    change(wb)
    wb.save(os.path.join(out, name + ".xlsx"))


def main():
    src, other, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    kv, rows, col = item_rows(load(src))
    first = rows[0]
    sheet, row = first[2].value, int(first[3].value)
    second_row = int(rows[1][3].value) if rows[1][2].value == sheet else row + 1

    def edit_text(wb):
        ws = wb[sheet]
        ws[f"{col['text']}{row}"] = "書き換えた点検項目"

    def edit_ref(wb):
        wb[sheet][f"{col['ref']}{row}"] = "99(9)"

    def delete_row(wb):
        wb[sheet].delete_rows(row)

    def insert_row(wb):
        wb[sheet].insert_rows(row)

    def reorder(wb):
        ws = wb[sheet]
        for c in range(1, ws.max_column + 1):
            a, b = ws.cell(row, c), ws.cell(second_row, c)
            a.value, b.value = b.value, a.value

    def drop_identity(wb):
        del wb[IDENTITY]

    def other_token(wb):
        okv, _ = identity(load(other))
        ikv, _ = identity(wb)
        ikv["token"][1].value = okv["token"][1].value

    def other_year(wb):
        ikv, _ = identity(wb)
        ikv["year"][1].value = "2025"

    def edit_identity_item(wb):
        _, irows = identity(wb)
        irows[0][1].value = "tk-0000000000"

    def off_scale(wb):
        wb[sheet][f"{col['answer']}{row}"] = "だいたいできている"

    def bad_date(wb):
        wb[sheet][f"{col['answer']}{row}"] = "実施していない"
        wb[sheet][f"{col['plan']}{row}"] = "手順を見直す"
        wb[sheet][f"{col['due']}{row}"] = "2027/2/30"

    def long_cell(wb):
        wb[sheet][f"{col['evidence']}{row}"] = "証" * 10000

    def formula(wb):
        wb[sheet][f"{col['answer']}{row}"] = "=A1"

    variant(src, out, "edited_text", edit_text)
    variant(src, out, "edited_ref", edit_ref)
    variant(src, out, "deleted_row", delete_row)
    variant(src, out, "inserted_row", insert_row)
    variant(src, out, "reordered", reorder)
    variant(src, out, "no_identity", drop_identity)
    variant(src, out, "other_token", other_token)
    variant(src, out, "other_year", other_year)
    variant(src, out, "edited_identity_item", edit_identity_item)
    variant(src, out, "off_scale", off_scale)
    variant(src, out, "bad_date", bad_date)
    variant(src, out, "long_cell", long_cell)
    variant(src, out, "formula", formula)

    # not ours at all
    wb = openpyxl.Workbook()
    wb.active["A1"] = "予算見積書"
    wb.save(os.path.join(out, "unrelated.xlsx"))
    with open(os.path.join(out, "table.csv"), "w", encoding="utf-8") as f:
        f.write("項番,回答\n1,実施している\n")
    with zipfile.ZipFile(os.path.join(out, "calc.ods"), "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    with open(src, "rb") as f:
        data = f.read()
    with open(os.path.join(out, "truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out, "old.xls"), "wb") as f:
        f.write(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    open(os.path.join(out, "empty.xlsx"), "wb").close()


if __name__ == "__main__":
    main()
