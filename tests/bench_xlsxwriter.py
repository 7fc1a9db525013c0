#!/usr/bin/python3
"""The reference for `make bench`: Python's XlsxWriter writing the same
workbooks tenken generate wrote for a campaign (same sheets, rows, columns,
formats, validations, conditional formats, protection, print setup, hidden
identity sheet and custom properties), read from tenken's database.

    bench_xlsxwriter.py DB ORG YEAR OUTDIR [KIND [LIMIT]]

KIND is the campaign's kind (default self); LIMIT writes only the first
LIMIT workbooks (the staff round's thousands).
"""
import datetime
import os
import sqlite3
import sys

import xlsxwriter

COLUMNS = [("項番", 5), ("該当条項", 13), ("点検項目", 58), ("対象者", 14), ("回答", 16), ("根拠・証跡", 26),
           ("備考", 20), ("改善内容", 26), ("担当者", 12), ("完了予定日", 12)]
SCALE = ["実施している", "一部実施している", "実施していない", "該当しない"]


def main():
    db, org, year, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    kind = sys.argv[5] if len(sys.argv) > 5 else "self"
    limit = int(sys.argv[6]) if len(sys.argv) > 6 else -1
    os.makedirs(out, exist_ok=True)
    con = sqlite3.connect(db)
    cid, org_name = con.execute("SELECT id, org_name FROM campaign WHERE org=? AND year=? AND kind=?",
                                (org, year, kind)).fetchone()
    wbs = con.execute("SELECT w.id, w.department_code, d.name, w.token, w.respondent FROM workbook w JOIN department d "
                      "ON d.campaign_id = w.campaign_id AND d.code = w.department_code "
                      "WHERE w.campaign_id=? AND w.revoked_at IS NULL ORDER BY w.department_code, w.id LIMIT ?",
                      (cid, limit)).fetchall()
    for wid, code, name, token, respondent in wbs:
        rows = con.execute("SELECT wi.seq, wi.item_id, wi.sheet, wi.row, wi.text_hash, ci.ref, ci.text, ci.context, ci.roles, ci.chapter "
                           "FROM workbook_item wi JOIN campaign_item ci ON ci.campaign_id=? AND ci.item_id=wi.item_id "
                           "WHERE wi.workbook_id=? ORDER BY wi.seq", (cid, wid)).fetchall()
        path = os.path.join(out, f"{code}_{name}{'_' + respondent if respondent else ''}.xlsx".replace(" ", "_"))
        wb = xlsxwriter.Workbook(path)
        title = wb.add_format({"bold": True, "font_size": 16, "font_color": "#1F3864"})
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "locked": True})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "locked": True})
        inp = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "bg_color": "#FFF2CC", "locked": False})
        date = wb.add_format({"border": 1, "valign": "top", "bg_color": "#FFF2CC", "locked": False, "num_format": "yyyy/m/d"})
        miss = wb.add_format({"bg_color": "#FF9B9B"})
        unans = wb.add_format({"bg_color": "#FCE4D6"})
        cover = wb.add_worksheet("表紙")
        cover.write(0, 0, f"令和{year - 2018}年度 情報セキュリティ自己点検票", title)
        for i, (k, v) in enumerate([("組織名", org_name), ("部署名", name), ("提出期限", "令和9年1月29日（2027年1月29日）"),
                                    ("回答者", ""), ("連絡先", "")]):
            cover.write(3 + i, 0, k, head)
            cover.write(3 + i, 1, v, inp if not v else cell)
        cover.protect()
        guide = wb.add_worksheet("記入要領")
        for i in range(30):
            guide.write(i, 0, "回答は一覧から選んでください。否定的な回答には改善計画を記入してください。", cell)
        guide.protect()
        sheets = {}
        for r in rows:
            sheets.setdefault(r[2], []).append(r)
        for sname, srows in sheets.items():
            ws = wb.add_worksheet(sname)
            for c, (h, w) in enumerate(COLUMNS):
                ws.set_column(c, c, w)
                ws.write(2, c, h, head)
            ws.write(0, 0, srows[0][9], title)
            for r in srows:
                n = r[3] - 1
                text = (r[7] + "\n" if r[7] else "") + r[6]
                ws.write_number(n, 0, r[0], cell)
                ws.write(n, 1, r[5], cell)
                ws.write(n, 2, text, cell)
                ws.write(n, 3, r[8], cell)
                for c in range(4, 9):
                    ws.write_blank(n, c, None, inp)
                ws.write_blank(n, 9, None, date)
                ws.set_row(n, max(30, 15 * (len(text) // 28 + 1)))
            first, last = srows[0][3] - 1, srows[-1][3] - 1
            ws.data_validation(first, 4, last, 4, {"validate": "list", "source": SCALE, "input_title": "回答",
                                                   "input_message": "一覧から選んでください", "error_title": "一覧にない回答です",
                                                   "error_message": "回答は一覧から選んでください"})
            ws.data_validation(first, 9, last, 9, {"validate": "date", "criteria": ">=",
                                                   "minimum": datetime.date(year, 4, 1), "error_title": "日付を入力してください",
                                                   "error_message": "2027/3/31 のように入力してください"})
            ws.conditional_format(first, 4, last, 4, {"type": "blanks", "format": unans})
            ws.conditional_format(first, 7, last, 9, {"type": "formula",
                                                      "criteria": f'=AND(OR($E{first + 1}="一部実施している",$E{first + 1}="実施していない"),H{first + 1}="")',
                                                      "format": miss})
            ws.freeze_panes(3, 0)
            ws.autofilter(2, 0, last, len(COLUMNS) - 1)
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(2)
            ws.set_header("&L自治体機密性2&R" + name)
            ws.set_footer("&C&P / &N ページ")
            ws.protect()
        ident = wb.add_worksheet("_tenken")
        for i, (k, v) in enumerate([("format", "tenken-workbook"), ("version", "1"), ("token", token), ("org", org),
                                    ("year", str(year)), ("department_code", code)]):
            ident.write(i, 0, k)
            ident.write(i, 1, v)
        base = 8
        for i, r in enumerate(rows):
            ident.write_number(base + i, 0, r[0])
            ident.write(base + i, 1, r[1])
            ident.write(base + i, 2, r[2])
            ident.write_number(base + i, 3, r[3])
            ident.write(base + i, 4, r[4])
            ident.write(base + i, 5, r[5])
        ident.hide()
        ident.protect()
        wb.set_custom_property("tenken_token", token)
        wb.close()
    print(len(wbs))


if __name__ == "__main__":
    main()
