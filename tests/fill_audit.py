#!/usr/bin/python3
"""Fill issued audit workbooks as an auditor would, and the auditees' responses, with openpyxl.

Like fill_workbooks.py it knows only what the workbook says: the hidden
identity sheet names the rows and the columns, the grade and 是正確認 lists
come from the sheet's own data validation.

  fill_audit.py grades [--seed N] OUTDIR FILE...
      an auditor's judgements: the first rows of each workbook take every
      grade of the scale in order (so that each grade occurs), the rest at
      random (mostly the first grade); 監査証跡 on every judged row, 所見 on
      every grade after the first but the last (observations and
      nonconformities), 良好事例 on a few rows; where the workbook asks for
      是正確認 (an earlier finding on the row), the values of the list in
      turn, so that some findings are confirmed fixed and others not.

  fill_audit.py grades --spec SPEC.json OUTDIR FILE...
      exactly what SPEC says, for the tests: {"SEQ": {"grade": "軽微な不適合",
      "finding": "...", "evidence": "...", "good": "...", "confirm": "是正済み"}};
      rows not in SPEC get the first grade.

  fill_audit.py respond [--seed N] [--skip K] OUTDIR FILE...
      an auditee's follow-up workbook: each row without an 改善内容 (a finding
      not yet planned) gets 改善内容, 担当者, 完了予定日 and 暫定措置, except
      every K-th such row (default 4), left unanswered (要対応 after the deadline);
      with --complete P, that share of the planned rows is reported 完了.
"""
import argparse
import datetime
import os
import random
import sys
import warnings

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# the identity sheet and the lists, read as the follow-up filler reads them
from fill_followup import identity, status_list as list_of  # noqa: E402
EVIDENCE = ["情報資産管理台帳（令和8年10月版）", "研修受講記録", "入退室記録簿の閲覧", "アクセス権限一覧の確認",
            "担当係長への聞き取り", "委託契約書", "バックアップ取得記録", "パスワード設定画面の確認"]
FINDINGS = {
    1: "運用はされているが、手順書が最新の組織体制を反映していない。",
    2: "一部の端末でスクリーンロックの設定が確認できなかった（3 台中 1 台）。",
    3: "定められた記録が作成されておらず、運用の実績を確認できなかった。",
}
GOOD = ["課内で独自の確認表を作り、毎月の点検を記録している。", "異動時のアカウント削除を当日中に行う手順が定着している。"]
PLANS = ["手順書を改訂し、課内研修で周知する", "端末の設定を一斉に見直し、設定記録を残す", "記録様式を定め、毎月末に係長が確認する"]
OWNERS = ["係長 山田", "主査 佐藤", "課長補佐 鈴木"]
INTERIM = ["当面、係長が週次で目視確認する", "該当端末の利用を停止している", ""]


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    kv, rows = identity(wb)
    col = {k[len("column."):]: v[1] for k, v in kv.items() if k.startswith("column.")}
    return wb, kv, rows, col


def by_spec(wb, rows, col, scale, spec):
    for r in rows:
        ws = wb[r["sheet"]]
        n = r["row"]
        want = spec.get(str(r["seq"]), {})
        ws[f"{col['answer']}{n}"] = want.get("grade", scale[0])
        for key in ("evidence", "finding", "good", "confirm"):
            if key in want:
                ws[f"{col[key]}{n}"] = want[key]


def grades(path, outdir, rng, spec=None):
    wb, kv, rows, col = load(path)
    scale = confirms = None
    for r in rows:
        scale = scale or list_of(wb[r["sheet"]], col["answer"])
        if "confirm" in col:
            confirms = confirms or list_of(wb[r["sheet"]], col["confirm"])
    if not scale:
        sys.exit(f"{path}: 判定の選択肢 (入力規則) が見つかりません")
    turn = 0
    if spec is not None:
        by_spec(wb, rows, col, scale, spec)
        rows = []
    for i, r in enumerate(rows):
        ws = wb[r["sheet"]]
        n = r["row"]
        if i < len(scale):
            g = i
        else:
            x = rng.random()
            g = 0 if x < 0.72 else 1 if x < 0.82 else 2 if x < 0.90 else 3 if x < 0.94 else len(scale) - 1
            g = min(g, len(scale) - 1)
        ws[f"{col['answer']}{n}"] = scale[g]
        if g != len(scale) - 1:
            ws[f"{col['evidence']}{n}"] = rng.choice(EVIDENCE)
        if 0 < g < len(scale) - 1 and "finding" in col:
            ws[f"{col['finding']}{n}"] = FINDINGS.get(g, FINDINGS[3])
        if "good" in col and (i == 1 or rng.random() < 0.02):
            ws[f"{col['good']}{n}"] = rng.choice(GOOD)
        if confirms and "prev-plan" in col and ws[f"{col['prev-plan']}{n}"].value:
            ws[f"{col['confirm']}{n}"] = confirms[turn % len(confirms)]
            turn += 1
    for key, v in kv.items():
        if key.startswith("cover.") and len(v) > 2 and v[2]:
            name = key[len("cover."):]
            year = int(kv["year"][1])
            wb[v[1]][v[2]] = {"auditor": "企画政策課 山田 太郎", "auditee": "係長 高橋 次郎",
                              "audit-date": datetime.datetime(year + 1, 1, 20)}.get(name, "記入済み")
    out = os.path.join(outdir, os.path.basename(path))
    wb.save(out)


def respond(path, outdir, rng, skip, complete):
    wb, kv, rows, col = load(path)
    year = int(kv["year"][1])
    k = 0
    statuses = None
    for r in rows:
        statuses = statuses or list_of(wb[r["sheet"]], col["status"])
    for r in rows:
        ws = wb[r["sheet"]]
        n = r["row"]
        if ws[f"{col['plan-content']}{n}"].value:
            if complete and rng.random() < complete and statuses and "完了" in statuses:
                ws[f"{col['status']}{n}"] = "完了"
                ws[f"{col['done-date']}{n}"] = datetime.datetime(year + 1, 2, 10)
                ws[f"{col['action']}{n}"] = "手順書を改訂し、研修で周知した（研修記録）"
            continue
        k += 1
        if skip and k % skip == 0:
            continue
        ws[f"{col['plan']}{n}"] = rng.choice(PLANS)
        ws[f"{col['owner']}{n}"] = rng.choice(OWNERS)
        ws[f"{col['due']}{n}"] = datetime.datetime(year + 1, rng.choice([6, 9, 12]), 28)
        interim = rng.choice(INTERIM)
        if interim and "interim" in col:
            ws[f"{col['interim']}{n}"] = interim
    for key, v in kv.items():
        if key.startswith("cover.") and len(v) > 2 and v[2]:
            wb[v[1]][v[2]] = {"respondent": "係長 高橋 次郎", "contact": "内線 2345",
                              "approver": "課長 中村 一郎"}.get(key[len("cover."):], "記入済み")
    wb.save(os.path.join(outdir, os.path.basename(path)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["grades", "respond"])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--skip", type=int, default=4)
    ap.add_argument("--complete", type=float, default=0.0)
    ap.add_argument("--spec")
    ap.add_argument("outdir")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for i, f in enumerate(args.files):
        rng = random.Random(args.seed * 1000 + i)
        if args.mode == "grades":
            spec = None
            if args.spec:
                import json
                with open(args.spec, encoding="utf-8") as fh:
                    spec = json.load(fh)
            grades(f, args.outdir, rng, spec)
        else:
            respond(f, args.outdir, rng, args.skip, args.complete)


if __name__ == "__main__":
    main()
