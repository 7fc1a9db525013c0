#!/usr/bin/python3
"""Check an issued workbook as it will be read and printed (openpyxl).

    check_workbook_layout.py [--carried N --overdue M] FILE...

Prints one line per problem and exits 1 when there is any:
  - a name that a narrow column would break: every role of 対象者, every
    該当条項 and 前年度の回答 value, every cover label fits its column on one
    line (a wide character is 2 units; a column of width w holds about
    1.05 w units at 10 pt, w is asked to hold them);
  - an input colour the instructions do not name: the instructions say
    「黄色のセル」, so the input fill and the unanswered highlight must both
    be yellow (hue 40-60 degrees);
  - a row too low for a plan of a few lines (72 units) in the plan, finding
    or action column;
  - with --carried/--overdue: the cover's 継続中の改善計画 line and the number
    of plan cells shown in bold red with 期限超過.
"""
import colorsys
import math
import re
import sys
import unicodedata

import openpyxl

PLAN_ROOM_UNITS = 72


def units(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def names(s):
    return [n for n in re.split(r"[、，,\s]+", s) if n]


def hue(argb):
    rgb = argb[-6:]
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def identity(wb):
    ws = wb["_tenken"]
    kv = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] == "seq":
            break
        if row[0]:
            kv[row[0]] = row[1]
    return kv


def width(ws, col):
    return ws.column_dimensions[col].width or 8.43


def check(path, carried, overdue):
    bad = []
    wb = openpyxl.load_workbook(path)
    kv = identity(wb)
    cols = {k[len("column."):]: v for k, v in kv.items() if k.startswith("column.")}
    header = int(kv["header_row"])
    cover = wb.worksheets[0]
    instr = wb.worksheets[1]
    # cover labels
    for row in cover.iter_rows(min_col=2, max_col=2):
        c = row[0]
        if isinstance(c.value, str) and c.font and c.fill and c.fill.fgColor and c.fill.fgColor.rgb not in (None, "00000000"):
            if units(c.value) > width(cover, "B") * 1.0 and "\n" not in c.value:
                bad.append("%s: 表紙!%s「%s」(%d) が列幅 %.1f に収まりません" % (path, c.coordinate, c.value, units(c.value), width(cover, "B")))
    # colours: the instructions call the input cells yellow
    text = " ".join(str(c.value) for r in instr.iter_rows() for c in r if isinstance(c.value, str))
    item_sheets = [ws for ws in wb.worksheets[2:] if ws.title != "_tenken" and ws.sheet_state == "visible"]
    if "黄色" in text and item_sheets:
        ws = item_sheets[0]
        acol = cols["answer"] if "answer" in cols else cols.get("status")
        cell = ws["%s%d" % (acol, header + 1)]
        fills = [("入力セル", cell.fill.fgColor.rgb)]
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                if rule.formula and "LEN(TRIM($%s" % acol in rule.formula[0] and "AND" not in rule.formula[0]:
                    f = rule.dxf.fill
                    fills.append(("未回答", (f.bgColor.rgb if f.bgColor is not None and f.bgColor.rgb else f.fgColor.rgb)))
        if len(fills) < 2:
            bad.append("%s: 未回答の条件付き書式が見つかりません" % path)
        for what, argb in fills:
            h, s = hue(str(argb))
            if not (40 <= h <= 60 and s > 0.3):
                bad.append("%s: 記入要領は「黄色のセル」と言うが、%s の色 %s は黄色ではありません (色相 %.0f 度)" % (path, what, argb, h))
    # names never broken, rows tall enough for a plan
    plan_cols = [cols[k] for k in ("plan", "finding", "action") if k in cols]
    late = 0
    for ws in item_sheets:
        for key in ("role", "ref", "prev-answer"):
            if key not in cols:
                continue
            col = cols[key]
            w = width(ws, col)
            for row in range(header + 1, ws.max_row + 1):
                v = ws["%s%d" % (col, row)].value
                for n in names(v) if isinstance(v, str) else []:
                    if units(n) > w * 1.0:
                        bad.append("%s: %s!%s%d「%s」(%d) が列幅 %.1f で折り返されます" % (path, ws.title, col, row, n, units(n), w))
        for col in plan_cols:
            w = width(ws, col)
            need = math.ceil(PLAN_ROOM_UNITS / (w * 1.05)) * 10 * 1.2
            for row in range(header + 1, ws.max_row + 1):
                h = ws.row_dimensions[row].height
                if h is None or h < need:
                    bad.append("%s: %s!%d 行の高さ %s は改善内容の数行 (%.0f pt) に足りません" % (path, ws.title, row, h, need))
                    break
        if "prev-plan" in cols:
            col = cols["prev-plan"]
            for row in range(header + 1, ws.max_row + 1):
                c = ws["%s%d" % (col, row)]
                if isinstance(c.value, str) and "期限超過" in c.value:
                    color = c.font.color.rgb if c.font and c.font.color is not None else None
                    if not (c.font.b and color and str(color)[-6:].upper() == "C00000"):
                        bad.append("%s: %s!%s%d 期限超過の計画が強調されていません" % (path, ws.title, col, row))
                    late += c.value.count("期限超過")
    if carried is not None:
        line = None
        for row in cover.iter_rows(values_only=True):
            if row[1] == "継続中の改善計画":
                line = row[2]
        want = "前年度以前から %d 件（うち完了予定日を過ぎたもの %d 件" % (carried, overdue)
        if not line or want not in line:
            bad.append("%s: 表紙の継続中の改善計画「%s」に「%s」がありません" % (path, line, want))
        if late != overdue:
            bad.append("%s: 期限超過の計画が %d 件表示されています (期待 %d 件)" % (path, late, overdue))
    elif any(r[1] == "継続中の改善計画" for r in cover.iter_rows(values_only=True)):
        bad.append("%s: 前年度の記録がないのに表紙に継続中の改善計画があります" % path)
    return bad


def main():
    args = sys.argv[1:]
    carried = overdue = None
    if args[:1] == ["--carried"]:
        carried, overdue = int(args[1]), int(args[3])
        args = args[4:]
    bad = []
    for p in args:
        bad += check(p, carried, overdue)
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
