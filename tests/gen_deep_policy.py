#!/usr/bin/env python3
"""A policy of LINES lines whose numbering nests deep in mixed styles.

Usage: gen_deep_policy.py LINES [SEED] > policy.txt

Each chapter (第1章) nests 1., (1), ①, ア, (ア), a., i. and then the same
styles again (1., (1) ... under i.), as deep as DEPTH levels, with an
obligation sentence under every marker and a few siblings at each level;
some lines are indented by their depth, some not, some in full-width
digits; the first marker of every other level is a title, so that
sections nest as deep. The derive scale test (tests/test_derive_scale.c) builds the same
shape in C; this script is for timing derive by hand (README).
"""
import random
import sys

CIRCLED = [chr(0x2460 + i) for i in range(20)]
KATA = "アイウエオカキクケコサシスセソタチツテト"
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
FW = str.maketrans("0123456789()", "０１２３４５６７８９（）")
ROLES = ["職員等", "情報セキュリティ管理者", "情報システム管理者", "統括情報セキュリティ責任者"]
OBJS = ["情報資産", "端末", "記録媒体", "パスワード", "アクセス記録", "外部委託先", "ソフトウェア", "通信回線"]
VERBS = ["適切に管理しなければならない", "定期的に確認しなければならない",
         "記録を作成し、保存しなければならない", "許可なく持ち出してはならない",
         "必要な措置を講じなければならない"]


def marker(depth, n):
    style = (depth - 1) % 7
    if style == 0:
        return "%d." % n
    if style == 1:
        return "(%d)" % n
    if style == 2:
        return CIRCLED[(n - 1) % 20]
    if style == 3:
        return KATA[(n - 1) % 20]
    if style == 4:
        return "（%s）" % KATA[(n - 1) % 20]
    if style == 5:
        return "%s." % chr(ord("a") + (n - 1) % 26)
    return "%s." % ROMAN[(n - 1) % 10]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    depth_max = int(sys.argv[3]) if len(sys.argv) > 3 else 21
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out = ["深層町情報セキュリティ対策基準", ""]
    chapter = 0
    while len(out) < n:
        chapter += 1
        out.append("第%d章 情報資産の管理 その%d" % (chapter, chapter))
        # a caterpillar: at each level a few leaves, then the spine goes on
        stack = [(1, 1)]
        while stack and len(out) < n:
            depth, k = stack.pop()
            text = "%sは、%sについて、%s。" % (rnd.choice(ROLES), rnd.choice(OBJS), rnd.choice(VERBS))
            mk = marker(depth, k)
            if rnd.random() < 0.3:
                mk = mk.translate(FW)
            indent = "　" * min(depth - 1, 30) if rnd.random() < 0.5 else ""
            if k == 1 and depth % 2 == 0:
                text = "%sの管理" % rnd.choice(OBJS)  # a title: a section of its own
            out.append(indent + mk + " " + text)
            if k < 3 and depth > 1:
                stack.append((depth, k + 1))
            if k == 1 and depth < depth_max:
                stack.append((depth + 1, 1))
    sys.stdout.write("\n".join(out[:n]) + "\n")


if __name__ == "__main__":
    main()
