#!/usr/bin/python3
"""review_edit.py — edit a review workbook (tenken review) as the secretariat
would in Excel, with openpyxl, for the tests.

  review_edit.py IN.xlsx OUT.xlsx [OP]...

OP (the item is named by its ID in column A of 点検項目):
  role:ID=VALUE     set 役割 (e.g. "職員等、情報セキュリティ管理者")
  scope:ID=VALUE    set 点検対象 (対象 / 対象外 / anything, to test refusals)
  weight:ID=VALUE   set 重み (a number when it reads as one, else the text)
  confirm:ID=VALUE  set 確認
  text:ID=VALUE     overwrite 本文 (refused by --apply)
  formula:ID=F      put a formula in 重み
  delete:ID         delete the item's row
  long:ID=N         put N characters in 確認メモ
"""
import sys

import openpyxl

COLS = {"role": 7, "scope": 8, "weight": 9, "confirm": 10, "text": 5, "memo": 11}


def find_row(ws, item_id):
    for r in range(4, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == item_id:
            return r
    sys.exit("review_edit.py: no row for %s" % item_id)


def main():
    src, dst, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
    wb = openpyxl.load_workbook(src)
    ws = wb["点検項目"]
    for op in ops:
        kind, _, rest = op.partition(":")
        item_id, _, value = rest.partition("=")
        row = find_row(ws, item_id)
        if kind == "delete":
            ws.delete_rows(row)
        elif kind == "weight":
            try:
                ws.cell(row=row, column=COLS["weight"]).value = float(value)
            except ValueError:
                ws.cell(row=row, column=COLS["weight"]).value = value
        elif kind == "formula":
            ws.cell(row=row, column=COLS["weight"]).value = value
        elif kind == "long":
            ws.cell(row=row, column=COLS["memo"]).value = "あ" * int(value)
        else:
            ws.cell(row=row, column=COLS[kind]).value = value
    wb.save(dst)


if __name__ == "__main__":
    main()
