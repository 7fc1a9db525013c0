#!/usr/bin/python3
"""Fill issued follow-up workbooks (改善計画の進捗確認票) as department staff would, with openpyxl.

Like fill_workbooks.py it knows only what the workbook says: the hidden identity
sheet names the rows and the columns, the status list comes from the sheet's
own data validation, and the current due date is read from the plan-due column.

Two ways to fill:

  fill_followup.py [--seed N] OUTDIR FILE...
      each plan at random: some closed (完了 with 完了日 and 実施内容), some
      postponed (延期 with a later 新たな完了予定日 and 理由), some in
      progress (対応中 with 実施内容), some left blank.

  fill_followup.py --spec SPEC.json OUTDIR
      exactly what SPEC says, for the tests: a list of
        {"file": ISSUED.xlsx, "out": NAME.xlsx,
         "rows": {"SEQ": {"status": "完了", "date": "2026-10-01",
                          "note": "...", "new_due": "2027-09-30", "reason": "..."}}}
      Dates in ISO form are written as Excel dates, anything else as text.
"""
import argparse
import datetime
import json
import os
import random
import re
import sys
import warnings

import openpyxl

IDENTITY = "_tenken"

ACTIONS = [
    "手順書を改訂し、課内研修で周知した",
    "管理台帳を作成し、月末の確認を始めた",
    "不要なアカウントを削除し、棚卸しの記録を残した",
    "委託契約書の改定案を作成し、事業者と協議している",
    "復元テストの手順を定め、一回目を実施した",
]
REASONS = [
    "委託事業者との契約更新の時期に合わせるため",
    "システム更新の時期が延びたため",
    "担当者の異動により引継ぎに時間を要したため",
]


def identity(wb):
    ws = wb[IDENTITY]
    kv, rows, in_table = {}, [], False
    for row in ws.iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        if in_table:
            rows.append({"seq": int(row[0]), "item": row[1], "sheet": row[2], "row": int(row[3])})
        elif row[0] == "seq":
            in_table = True
        else:
            kv[str(row[0])] = row
    return kv, rows


def status_list(ws, col_letter):
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and col_letter in str(dv.sqref):
            return [v for v in dv.formula1.strip('"').split(",") if v]
    return None


def as_cell(value):
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        y, m, d = (int(x) for x in value.split("-"))
        return datetime.datetime(y, m, d)
    return value


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    kv, rows = identity(wb)
    col = {k[len("column."):]: v[1] for k, v in kv.items() if k.startswith("column.")}
    if "status" not in col:
        sys.exit(f"{path}: 進捗状況の列 (column.status) がありません。改善計画の進捗確認票ではありません")
    return wb, kv, rows, col


def fill_cover(wb, kv):
    for key, v in kv.items():
        if key.startswith("cover.") and len(v) > 2 and v[2]:
            wb[v[1]][v[2]] = {"respondent": "係長 山田 太郎", "contact": "内線 1234",
                              "approver": "課長 中村 一郎"}.get(key[len("cover."):], "記入済み")


def put(ws, col, name, n, value):
    if value is not None and name in col:
        ws[f"{col[name]}{n}"] = as_cell(value)


def fill_random(path, outdir, rng):
    wb, kv, rows, col = load(path)
    year = int(kv["year"][1])
    labels = status_list(wb[rows[0]["sheet"]], col["status"]) if rows else None
    if rows and not labels:
        sys.exit(f"{path}: 進捗状況の選択肢 (入力規則) が見つかりません")
    # 未着手, 対応中, 完了, 延期, リスク受容 as the list offers them
    in_progress, done, postponed = (labels[1], labels[2], labels[3]) if labels else (None, None, None)
    for r in rows:
        ws = wb[r["sheet"]]
        n = r["row"]
        x = rng.random()
        if x < 0.35:
            put(ws, col, "status", n, done)
            put(ws, col, "action", n, rng.choice(ACTIONS))
            put(ws, col, "done-date", n, datetime.datetime(year, rng.choice([6, 7, 8, 9, 10]), rng.choice([1, 15, 28])))
        elif x < 0.55:
            due = ws[f"{col['plan-due']}{n}"].value if "plan-due" in col else None
            base = due.date() if isinstance(due, datetime.datetime) else datetime.date(year + 1, 3, 31)
            put(ws, col, "status", n, postponed)
            put(ws, col, "new-due", n, datetime.datetime(base.year + 1, base.month, min(base.day, 28)))
            put(ws, col, "reason", n, rng.choice(REASONS))
            put(ws, col, "action", n, rng.choice(ACTIONS))
        elif x < 0.80:
            put(ws, col, "status", n, in_progress)
            put(ws, col, "action", n, rng.choice(ACTIONS))
        # else: nothing to report
    fill_cover(wb, kv)
    out = os.path.join(outdir, os.path.basename(path))
    wb.save(out)


def fill_spec(spec, outdir):
    for v in spec:
        wb, kv, rows, col = load(v["file"])
        by_seq = {r["seq"]: r for r in rows}
        for seq, what in v.get("rows", {}).items():
            r = by_seq.get(int(seq))
            if not r:
                sys.exit(f"{v['file']}: 項番 {seq} の行がありません")
            ws = wb[r["sheet"]]
            n = r["row"]
            put(ws, col, "status", n, what.get("status"))
            put(ws, col, "action", n, what.get("note"))
            put(ws, col, "done-date", n, what.get("date"))
            put(ws, col, "new-due", n, what.get("new_due"))
            put(ws, col, "reason", n, what.get("reason"))
        fill_cover(wb, kv)
        wb.save(os.path.join(outdir, v["out"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--spec", help="JSON file: exactly what to write (tests)")
    ap.add_argument("outdir")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    if args.spec:
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
        fill_spec(spec, args.outdir)
        print(f"fill_followup: {len(spec)} 件の確認票を記入しました ({args.outdir})")
        return
    for i, f in enumerate(args.files):
        fill_random(f, args.outdir, random.Random(args.seed * 1000 + i))
    print(f"fill_followup: {len(args.files)} 件の確認票に進捗を記入しました ({args.outdir})")


if __name__ == "__main__":
    main()
