#!/usr/bin/python3
"""An organisation of N departments for the benchmarks: 志免町's checklist
(checklists/shime/checklist.xml) and an org.xml with N departments (部署0001
…) holding the roles a 課 holds; every fifth one also runs systems, the first
holds the CISO's organisation and the second audits.

    make_big_org.py DIR N
"""
import os
import shutil
import sys


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(path, exist_ok=True)
    shutil.copy("checklists/shime/checklist.xml", os.path.join(path, "checklist.xml"))
    src = open("checklists/shime/org.xml", encoding="utf-8").read()
    head = src[: src.index("<department ")]
    depts = []
    for i in range(1, n + 1):
        holds = ["職員等", "情報セキュリティ管理者", "情報セキュリティ担当者"]
        if i % 5 == 0:
            holds += ["情報システム管理者", "情報システム担当者", "クラウドサービス管理者"]
        if i == 1:
            holds += ["最高情報セキュリティ責任者", "統括情報セキュリティ責任者", "情報セキュリティ責任者",
                      "情報セキュリティ委員会", "CSIRT"]
        if i == 2:
            holds += ["監査を行う者"]
        body = "".join(f'    <holds role="{r}"/>\n' for r in holds)
        depts.append(f'  <department code="{i:04d}" name="部署{i:04d}">\n{body}  </department>\n')
    with open(os.path.join(path, "org.xml"), "w", encoding="utf-8") as f:
        f.write(head + "".join(depts) + "</org>\n")


if __name__ == "__main__":
    main()
