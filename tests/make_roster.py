#!/usr/bin/python3
"""Write a staff roster (CSV) for an organisation's departments: N people,
spread over the departments of org.xml, with 職員番号, 氏名, 所属, 役職,
メール and, for a few, 役割 (情報システム担当者 where the department holds it).
Names are made up; the numbers run from 10001.

    make_roster.py [--seed N] [--encoding cp932|utf-8-sig] ORG.xml N OUT.csv
"""
import argparse
import random
import re

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水".split()
GIVEN = "太郎 花子 一郎 美咲 健 陽子 翔 さくら 大輔 由美 誠 愛 拓也 真由美 浩 恵 亮 裕子 学 智子".split()
TITLES = ["主事", "主事", "主任", "主査", "係長", "会計年度任用職員"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--encoding", default="utf-8-sig")
    ap.add_argument("org")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    src = open(a.org, encoding="utf-8").read()
    depts = []
    for m in re.finditer(r'<department code="([^"]+)" name="([^"]+)">(.*?)</department>', src, re.S):
        depts.append((m.group(1), m.group(2), "情報システム担当者" in m.group(3)))
    rows = ["職員番号,氏名,所属,役職,メール,役割"]
    for i in range(a.n):
        code, _, systems = depts[i % len(depts)]
        num = 10001 + i
        role = "情報システム担当者" if systems and rng.random() < 0.2 else ""
        rows.append(f"{num},{rng.choice(SURNAMES)} {rng.choice(GIVEN)},{code},{rng.choice(TITLES)},"
                    f"staff{num}@example.lg.jp,{role}")
    with open(a.out, "w", encoding=a.encoding, newline="") as f:
        f.write("\r\n".join(rows) + "\r\n")


if __name__ == "__main__":
    main()
