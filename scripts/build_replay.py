"""Build the demo's bundled replay corpus from the real texts in ../shared/data/corpora.

The texts are real Vietnamese news (VNTC: VnExpress, Thanh Niên, Người Lao Động, Tuổi
Trẻ, mid-2000s; baomoi.com 2018 title + summary). Only the wrapping is ours: the replay
server publishes them as press sites with RSS feeds, with publication dates spread over
the week before the demo runs. Run from the repo root:

    python scripts/build_replay.py [--shared ../shared]

It writes pressdesk/replay/articles.jsonl.gz, which is committed so the demo does not
need ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

LOCAL = re.compile(
    r"Đà Nẵng|Quảng Nam|Hội An|Tam Kỳ|Sơn Trà|Mỹ Sơn|Bà Nà|Hải Vân|Điện Bàn|Núi Thành|Chu Lai|"
    r"Ngũ Hành Sơn|Liên Chiểu|Hòa Vang|Cù Lao Chàm|Duy Xuyên|Thăng Bình|Đại Lộc"
)
VNTC_OUTLETS = {"VNE": "vnexpress", "TN": "thanhnien", "NLD": "nld", "TT": "tuoitre"}
VNTC_SECTIONS = {
    "Chinh tri Xa hoi": "thoi-su",
    "Doi song": "doi-song",
    "Khoa hoc": "khoa-hoc",
    "Kinh doanh": "kinh-doanh",
    "Phap luat": "phap-luat",
    "Suc khoe": "suc-khoe",
    "The gioi": "the-gioi",
    "The thao": "the-thao",
    "Van hoa": "van-hoa",
    "Vi tinh": "so-hoa",
}
BAOMOI_SECTIONS = {
    "Du lịch": "du-lich",
    "Bất động sản": "bat-dong-san",
    "Chính trị và Pháp luật": "phap-luat",
    "Sức khoẻ": "suc-khoe",
    "Khoa học - Sinh thái & Môi trường": "moi-truong",
    "Kinh doanh và Công nghiệp": "kinh-doanh",
    "Giáo dục và Việc làm - Giáo dục": "giao-duc",
    "Tài chính - Đầu tư - Cổ phiếu và trái phiếu": "dau-tu",
}


def split_article(text: str) -> tuple[str, list[str]]:
    """Split a corpus text into a title and paragraphs (first line is the title)."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    title, body = lines[0], lines[1:]
    if len(title) > 160:  # title and lead run together in some NLĐ items: cut at the first sentence
        head, _, rest = title.partition(". ")
        title, body = head[:160], [rest, *body]
    return title, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "pressdesk/replay/articles.jsonl.gz"
    )
    args = parser.parse_args()
    rng = random.Random(20261122)
    corpora = args.shared / "data/corpora"

    vntc = [
        json.loads(line) for line in (corpora / "vntc-10topics-sample/vntc_test_sample.jsonl").open(encoding="utf-8")
    ]
    local = [r for r in vntc if LOCAL.search(r["text"]) and len(r["text"]) < 6000]
    others = [r for r in vntc if not LOCAL.search(r["text"]) and 600 < len(r["text"]) < 4000]
    chosen = local + rng.sample(others, 50)

    records = []
    for row in chosen:
        title, paragraphs = split_article(row["text"])
        if not paragraphs:
            continue
        records.append(
            {
                "outlet": VNTC_OUTLETS[row["source_code"]],
                "section": VNTC_SECTIONS[row["label"]],
                "title": title,
                "paragraphs": paragraphs,
                "origin": f"VNTC {row['file']} (MIT)",
            }
        )

    baomoi = [
        json.loads(line)
        for line in (corpora / "baomoi-2018-sample/baomoi_tc201805_sample.jsonl").open(encoding="utf-8")
    ]
    for row in baomoi:
        if row["label"] in BAOMOI_SECTIONS and LOCAL.search(row["text"]):
            title, paragraphs = split_article(row["text"])
            if paragraphs:
                records.append(
                    {
                        "outlet": "baomoi",
                        "section": BAOMOI_SECTIONS[row["label"]],
                        "title": title,
                        "paragraphs": paragraphs,
                        "origin": f"baomoi TC201805 {row['file']} (GPL-3.0)",
                    }
                )

    rng.shuffle(records)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        for n, rec in enumerate(records):
            fh.write(json.dumps({"n": n, **rec}, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} articles ({len(local)} local from VNTC) to {args.out}")


if __name__ == "__main__":
    main()
