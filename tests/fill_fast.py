#!/usr/bin/python3
"""Fill many issued tenken workbooks quickly, by editing their sheet XML.

For `make bench`, `make bench-scale` and `make demo` (thousands of
workbooks, where openpyxl, as tests/fill_workbooks.py does, takes a quarter
of a second each): values go into the cells the workbook already has (input
cells carry a style), text as inline strings, dates as serial numbers in the
cell's own date style; the rest of the file is copied byte for byte. Like
fill_workbooks.py and fill_followup.py it knows only what the workbook says:
the hidden identity sheet (_tenken) names the item rows, the columns and the
cover inputs, and the answer or status list is the data validation's.

- a staff workbook (no plan column): an answer per item, mostly the first
  of the list; the cover gets the person's own staff number;
- a self-inspection or audit workbook: mostly the positive answer, partial
  and negative ones with a remediation plan, 該当しない with a reason;
- a follow-up workbook: 完了 with a date and what was done, 延期 with a new
  due date and a reason, 対応中, or nothing.

    fill_fast.py [--seed N] [--unanswered P] [--jobs N] OUTDIR FILE...
"""
import argparse
import datetime
import html
import os
import random
import re
import sys
import zipfile
from multiprocessing import Pool
from xml.sax.saxutils import escape

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
IDENTITY = "_tenken"
PLANS = ["手順書を見直し、課内研修で周知する", "管理台帳を作成し、毎月末に所在を確認する",
         "委託契約書に情報セキュリティ要件を追記する", "不要なアカウントを棚卸しし、削除する"]
OWNERS = ["係長 山田", "主査 佐藤", "課長補佐 鈴木", "主任 田中"]
EVIDENCE = ["情報資産管理台帳", "研修受講記録", "入退室記録簿", "アクセス権限一覧", "点検記録"]
REASONS = ["該当する情報システムを所管していないため", "対象となる機器がないため"]
ACTIONS = ["手順書を改訂し、課内で周知した", "台帳を整備し、点検を始めた", "研修を実施した"]
POSTPONE = ["予算措置が翌年度になったため", "システム更新に合わせて実施するため"]
COVER = {"respondent": "係長 山田 太郎", "contact": "内線 1234", "approver": "課長 中村 一郎"}

CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(/>|>.*?</c>)', re.S)


def serial(d):
    return (d - datetime.date(1899, 12, 30)).days


def shared_strings(z):
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    xml = z.read("xl/sharedStrings.xml").decode("utf-8")
    out = []
    for si in re.findall(r"<si>(.*?)</si>", xml, re.S):
        text = "".join(re.findall(r"<t[^>]*>(.*?)</t>", si, re.S))
        out.append(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
    return out


def sheet_parts(z):
    """Sheet name -> part name, from the workbook and its relationships."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    target.update({m.group(2): m.group(1)
                   for m in re.finditer(r'<Relationship Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    parts = {}
    for m in re.finditer(r'<sheet name="([^"]+)"[^>]*?r:id="([^"]+)"', wb):
        t = target[m.group(2)]
        parts[m.group(1).replace("&amp;", "&")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return parts


def cell_values(xml, strings):
    """{(row, col letters): value} of a sheet's cells that carry one."""
    vals = {}
    for m in CELL.finditer(xml):
        attrs, body = m.group(3), m.group(4)
        v = re.search(r"<v>(.*?)</v>", body)
        if 't="s"' in attrs and v:
            vals[(int(m.group(2)), m.group(1))] = strings[int(v.group(1))]
        elif 't="inlineStr"' in attrs:
            vals[(int(m.group(2)), m.group(1))] = "".join(re.findall(r"<t[^>]*>(.*?)</t>", body, re.S))
        elif v:
            vals[(int(m.group(2)), m.group(1))] = v.group(1)
    return vals


def identity(xml, strings):
    vals = cell_values(xml, strings)
    rows = sorted({r for r, _ in vals})
    kv, items, table = {}, [], False
    for r in rows:
        a, b, c, d = (vals.get((r, col)) for col in "ABCD")
        if a is None:
            continue
        if table:
            items.append({"seq": int(float(a)), "item": b, "sheet": c, "row": int(float(d))})
        elif a == "seq":
            table = True
        else:
            kv[a] = (a, b, c)
    return kv, items


def choice_list(xml, col):
    for m in re.finditer(r'<dataValidation type="list"[^>]*?sqref="([^"]+)"[^>]*>\s*<formula1>"([^<]*)"</formula1>', xml):
        if re.search(r"\b%s\d" % col, m.group(1)):
            return [v for v in html.unescape(m.group(2)).split(",") if v]
    return None


def put(xml, writes):
    """xml with the cells of writes ({"E4": value}) given their values."""
    def repl(m):
        ref = m.group(1) + m.group(2)
        if ref not in writes:
            return m.group(0)
        v = writes.pop(ref)
        attrs = re.sub(r'\s*t="[^"]*"', "", m.group(3))
        if isinstance(v, (int, float)):
            return '<c r="%s"%s><v>%s</v></c>' % (ref, attrs, v)
        return '<c r="%s"%s t="inlineStr"><is><t>%s</t></is></c>' % (ref, attrs, escape(v))
    xml = CELL.sub(repl, xml)
    if writes:
        raise SystemExit("セルがありません: %s" % ", ".join(sorted(writes)))
    return xml


def plan_staff(kv, items, col, lists, year, rng, unanswered):
    quality = rng.uniform(0.6, 0.97)
    writes = {}
    for it in items:
        if rng.random() < unanswered:
            continue
        x = rng.random()
        value = lists[0] if x < quality else rng.choice(lists[1:-1])
        writes.setdefault(it["sheet"], {})[f"{col['answer']}{it['row']}"] = value
    return writes


def plan_self(kv, items, col, lists, year, rng, unanswered):
    positive, partial, negative, excluded = lists[:4]
    quality = rng.uniform(0.6, 0.97)
    writes = {}
    for it in items:
        if rng.random() < unanswered:
            continue
        w = writes.setdefault(it["sheet"], {})
        n = it["row"]
        x = rng.random()
        value = positive if x < quality else partial if x < quality + (1 - quality) * 0.5 else \
            negative if x < quality + (1 - quality) * 0.85 else excluded
        w[f"{col['answer']}{n}"] = value
        if "evidence" in col and value in (positive, partial):
            w[f"{col['evidence']}{n}"] = rng.choice(EVIDENCE)
        if value == excluded and "note" in col:
            w[f"{col['note']}{n}"] = rng.choice(REASONS)
        if value in (partial, negative):
            if "plan" in col:
                w[f"{col['plan']}{n}"] = rng.choice(PLANS)
            if "owner" in col:
                w[f"{col['owner']}{n}"] = rng.choice(OWNERS)
            if "due" in col:
                w[f"{col['due']}{n}"] = serial(datetime.date(year + 1, rng.choice([1, 3, 6, 9]), rng.choice([15, 28])))
    return writes


def plan_followup(kv, items, col, lists, year, rng, unanswered):
    in_progress, done, postponed = lists[1], lists[2], lists[3]
    writes = {}
    for it in items:
        w = writes.setdefault(it["sheet"], {})
        n = it["row"]
        x = rng.random()
        if x < 0.35:
            w[f"{col['status']}{n}"] = done
            w[f"{col['action']}{n}"] = rng.choice(ACTIONS)
            w[f"{col['done-date']}{n}"] = serial(datetime.date(year, rng.choice([6, 8, 10]), rng.choice([1, 15])))
        elif x < 0.55:
            w[f"{col['status']}{n}"] = postponed
            w[f"{col['new-due']}{n}"] = serial(datetime.date(year + 2, 3, 31))
            w[f"{col['reason']}{n}"] = rng.choice(POSTPONE)
            w[f"{col['action']}{n}"] = rng.choice(ACTIONS)
        elif x < 0.80:
            w[f"{col['status']}{n}"] = in_progress
            w[f"{col['action']}{n}"] = rng.choice(ACTIONS)
    return writes


def fill(job):
    path, outdir, seed, unanswered = job
    rng = random.Random(seed)
    with zipfile.ZipFile(path) as z:
        strings = shared_strings(z)
        parts = sheet_parts(z)
        xmls = {name: z.read(part).decode("utf-8") for name, part in parts.items()}
        kv, items = identity(xmls[IDENTITY], strings)
        col = {k[len("column."):]: v[1] for k, v in kv.items() if k.startswith("column.")}
        year = int(float(kv["year"][1]))
        follow = "status" in col
        key = "status" if follow else "answer"
        lists = next((l for l in (choice_list(xmls[it["sheet"]], col[key]) for it in items) if l), None)
        if items and not lists:
            raise SystemExit(f"{path}: 選択肢 (入力規則) が見つかりません")
        plan = plan_followup if follow else plan_self if "plan" in col else plan_staff
        writes = plan(kv, items, col, lists, year, rng, unanswered) if items else {}
        for k, v in kv.items():
            if k.startswith("cover.") and v[2]:
                name = k[len("cover."):]
                if name == "staff-number" and "respondent" in kv:
                    text = kv["respondent"][1]  # a staff workbook: the person's own number
                elif plan is plan_staff:
                    text = "記入済み"
                else:
                    text = COVER.get(name, "記入済み")
                writes.setdefault(v[1], {})[v[2]] = text
        out = os.path.join(outdir, os.path.basename(path))
        with zipfile.ZipFile(out + ".part", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as w:
            for info in z.infolist():
                name = next((s for s, p in parts.items() if p == info.filename and s in writes), None)
                data = put(xmls[name], dict(writes[name])).encode("utf-8") if name else z.read(info.filename)
                w.writestr(info.filename, data)
    os.replace(out + ".part", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--unanswered", type=float, default=0.0, help="share of items left unanswered")
    ap.add_argument("--jobs", type=int, default=1, help="processes (default 1: callers run xargs -P)")
    ap.add_argument("outdir")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    jobs = [(f, args.outdir, args.seed * 100003 + i, args.unanswered) for i, f in enumerate(args.files)]
    if args.jobs > 1:
        with Pool(args.jobs) as p:
            p.map(fill, jobs, chunksize=16)
    else:
        for j in jobs:
            fill(j)
    print(f"fill: {len(jobs)} 件の点検票に回答を記入しました ({args.outdir})")


if __name__ == "__main__":
    sys.exit(main())
