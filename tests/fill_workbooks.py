#!/usr/bin/python3
"""Fill issued tenken workbooks the way department staff would, with openpyxl.

Used by `make demo` (a year of answers for the sample organisation) and by the
tests (a workbook saved by another tool than Excel). It knows nothing of
tenken's internals beyond what the workbook itself says: the hidden identity
sheet names the item rows and the columns, and the answer list is read from
the workbook's own data validation.

    fill_workbooks.py [--seed N] [--missing-plans P] [--date-styles] [--answer ITEM=VALUE]... [--every VALUE]
                      [--staff-number N] OUTDIR FILE...

--answer gives one item (by its id in the identity sheet) a chosen answer; the
rest of the row (evidence, plan) is filled as for any such answer; --every
answers every item so. A staff workbook's cover gets its own staff number
(from the identity sheet) unless --staff-number types another.
"""
import argparse
import datetime
import os
import random
import re
import sys
import warnings

import openpyxl

IDENTITY = "_tenken"

PLANS = [
    "手順書を見直し、課内研修で周知する",
    "管理台帳を作成し、毎月末に所在を確認する",
    "パスワードの変更を全員に依頼し、実施状況を記録する",
    "委託契約書に情報セキュリティ要件を追記する",
    "不要なアカウントを棚卸しし、削除する",
    "バックアップの復元テストを年2回実施する",
]
OWNERS = ["係長 山田", "主査 佐藤", "課長補佐 鈴木", "主任 田中", "係長 高橋"]
EVIDENCE = ["情報資産管理台帳", "研修受講記録", "入退室記録簿", "アクセス権限一覧", "点検記録", "委託契約書"]
REASONS = ["該当する情報システムを所管していないため", "当課では外部委託を行っていないため", "対象となる機器がないため"]


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


def answer_list(ws, col_letter):
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and col_letter in str(dv.sqref):
            f = dv.formula1.strip('"')
            return [v for v in f.split(",") if v]
    return None


def due_value(rng, year, styles):
    d = datetime.date(year + 1, rng.choice([1, 2, 3, 6, 9]), rng.choice([15, 28]))
    if not styles:
        return datetime.datetime(d.year, d.month, d.day)
    style = rng.randrange(6)
    reiwa = d.year - 2018
    if style == 0:
        return datetime.datetime(d.year, d.month, d.day)
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"令和{reiwa}年{d.month}月{d.day}日"
    if style == 3:
        return f"R{reiwa}.{d.month}.{d.day}"
    if style == 4:
        return f"{d.year}-{d.month:02d}-{d.day:02d}"
    return f"{d.year}/{d.month}/{d.day}".translate(str.maketrans("0123456789/", "０１２３４５６７８９／"))


def fill(path, outdir, args, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    kv, rows = identity(wb)
    col = {k[len("column."):]: v[1] for k, v in kv.items() if k.startswith("column.")}
    year = int(kv["year"][1])
    kind = kv["kind"][1]
    scale = None
    for r in rows:
        scale = answer_list(wb[r["sheet"]], col["answer"])
        if scale:
            break
    if not scale:
        sys.exit(f"{path}: 回答の選択肢 (入力規則) が見つかりません")
    # the last answer leaves the item out (該当しない); a staff scale has
    # わからない between 実施していない and it
    positive, partial, excluded = scale[0], scale[1], scale[-1]
    negatives = scale[2:-1]
    # a department's habits: how careful it is
    quality = rng.uniform(0.55, 0.97)
    for r in rows:
        ws = wb[r["sheet"]]
        n = r["row"]
        forced = args.answers.get(r["item"], args.every)
        if forced is None and rng.random() < args.unanswered:
            continue
        x = rng.random()
        if forced is not None:
            value = forced
        elif x < quality:
            value = positive
        elif x < quality + (1 - quality) * 0.5:
            value = partial
        elif x < quality + (1 - quality) * 0.85:
            value = rng.choice(negatives)
        else:
            value = excluded
        ws[f"{col['answer']}{n}"] = value
        if "evidence" in col and value in (positive, partial):
            ws[f"{col['evidence']}{n}"] = rng.choice(EVIDENCE)
        if value == excluded and "note" in col:
            ws[f"{col['note']}{n}"] = rng.choice(REASONS)
        if value == partial or value in negatives:
            if kind == "audit" and "finding" in col:
                ws[f"{col['finding']}{n}"] = "運用の記録が確認できなかった"
            if rng.random() >= args.missing_plans:
                if "plan" in col:
                    ws[f"{col['plan']}{n}"] = rng.choice(PLANS)
                if "owner" in col:
                    ws[f"{col['owner']}{n}"] = rng.choice(OWNERS)
                if "due" in col:
                    ws[f"{col['due']}{n}"] = due_value(rng, year, args.date_styles)
    for key, v in kv.items():
        if key.startswith("cover.") and len(v) > 2 and v[2]:
            sheet, cell = v[1], v[2]
            name = key[len("cover."):]
            wb[sheet][cell] = {"respondent": "係長 山田 太郎", "contact": "内線 1234", "approver": "課長 中村 一郎",
                               "auditor": "総務課 監査担当 小林", "auditee": "係長 山田 太郎",
                               # a staff workbook's own person types their number
                               "staff-number": args.staff_number or kv.get("respondent", (None, ""))[1]}.get(name, "記入済み")
            if name == "audit-date":
                wb[sheet][cell] = datetime.datetime(year + 1, 1, 20)
    out = os.path.join(outdir, os.path.basename(path))
    wb.save(out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--missing-plans", type=float, default=0.15, help="share of negative answers left without a plan")
    ap.add_argument("--unanswered", type=float, default=0.02, help="share of items left unanswered")
    ap.add_argument("--date-styles", action="store_true", help="type due dates in the ways people do")
    ap.add_argument("--answer", action="append", default=[], metavar="ITEM=VALUE",
                    help="answer this item (id) with this value")
    ap.add_argument("--every", metavar="VALUE", help="answer every item with this value")
    ap.add_argument("--staff-number", metavar="N", help="a staff workbook: type this staff number (default: its own)")
    ap.add_argument("outdir")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    args.answers = dict(a.split("=", 1) for a in args.answer)
    os.makedirs(args.outdir, exist_ok=True)
    for i, f in enumerate(args.files):
        rng = random.Random(args.seed * 1000 + i)
        fill(f, args.outdir, args, rng)
    print(f"fill: {len(args.files)} 件の点検票に回答を記入しました ({args.outdir})")


if __name__ == "__main__":
    main()
