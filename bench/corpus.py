"""A deterministic 100,000-result corpus and long query problems for the speed benchmarks.

Documents are recombined from the shared development sets (`../shared/data/csl_dev` and
`../shared/data/xuchang_dev`, found from this file's location): each synthetic result takes
the title, keywords and some sentences of one real result and mixes in sentences and keywords
of others, so its vocabulary, lengths and term frequencies look like real postings. Nothing
of the shared data is copied into the project; the corpus is generated on the fly.

    .venv/bin/python -m bench.corpus --docs 5 --problems 3     # print a sample as JSONL
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SETS = ("csl_dev", "xuchang_dev")
SEED = 20260401
MISSING = "{path} not found: the speed benchmark needs the shared dev sets"

COOPERATION_MODES = ("技术转让", "技术许可", "合作开发", "委托开发", "技术咨询")
FIELDS = (
    "电力装备",
    "超硬材料",
    "节能环保",
    "电子信息",
    "农产品加工",
    "中医药",
    "发制品",
    "机械制造",
)
# Real abstracts run 150-400 characters; postings with figures and 技术指标 run longer.
BODY_SENTENCES = (3, 12)
MAX_PROBLEM_CHARS = 1000
# Sentence ends (Chinese and ASCII); the separator is kept with its sentence.
SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|(?<=\.)(?=[^\d])")


@dataclass(frozen=True)
class Source:
    """The shared texts the corpus is recombined from."""

    results: list[dict]
    sentences: list[str]
    keywords: list[str]
    institutes: list[str]
    problems: list[dict]


def data_available(data_dir: Path = DATA_DIR) -> bool:
    """Tell whether every shared results file the corpus needs is present."""
    return all((data_dir / name / "results.jsonl").is_file() for name in SETS)


def exit_if_missing(data_dir: Path = DATA_DIR) -> None:
    """Print a clear message and exit 0 when the shared data is absent (a bare clone)."""
    if not data_available(data_dir):
        print(MISSING.format(path=data_dir))
        sys.exit(0)


def read_jsonl(path: Path) -> list[dict]:
    """Return the JSON objects of a .jsonl file (a missing file gives none)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sentences_of(text: str) -> list[str]:
    """Split text into sentences of at least a few characters."""
    return [s.strip() for s in SENTENCE_END.split(text or "") if len(s.strip()) >= 6]


def load_source(data_dir: Path = DATA_DIR) -> Source:
    """Read the shared results and problems into one pool of sentences and keywords."""
    results, problems = [], []
    for name in SETS:
        results += read_jsonl(data_dir / name / "results.jsonl")
        problems += read_jsonl(data_dir / name / "problems.jsonl")
    sentences = [s for r in results for s in sentences_of(r.get("summary", ""))]
    keywords = sorted({k for r in results for k in r.get("keywords") or ()})
    institutes = sorted({r["institute"] for r in results if r.get("institute")})
    return Source(results, sentences, keywords, institutes, problems)


def generate_results(count: int, source: Source, seed: int = SEED) -> Iterator[dict]:
    """Yield `count` synthetic result documents with ids 1..count, the same every run."""
    rng = random.Random(seed)
    for doc_id in range(1, count + 1):
        yield synthetic_result(doc_id, rng, source)


def synthetic_result(doc_id: int, rng: random.Random, source: Source) -> dict:
    """One result: a real result's title, keywords and sentences, mixed with others'."""
    base = rng.choice(source.results)
    own = sentences_of(base.get("summary", ""))
    wanted = rng.randint(*BODY_SENTENCES)
    mixed = own[: rng.randint(1, max(1, len(own)))] + rng.sample(
        source.sentences, max(0, wanted - len(own))
    )
    rng.shuffle(mixed)
    keywords = list(base.get("keywords") or [])[:4] + rng.sample(source.keywords, rng.randint(0, 3))
    return {
        "id": doc_id,
        "kind": "result",
        "title": _title(base, rng, source),
        "body": "".join(mixed),
        "keywords": keywords,
        "field": base.get("field") or rng.choice(FIELDS),
        "org": rng.choice(source.institutes),
        "stamp": f"2026-03-{1 + doc_id % 28:02d}T08:00:00#{doc_id}",
        "cooperation": rng.sample(COOPERATION_MODES, rng.randint(0, 2)),
        "amount": _amount(rng),
    }


def _title(base: dict, rng: random.Random, source: Source) -> str:
    # A third of the titles are recombined from keywords, as CSL's titles are.
    if rng.random() < 1 / 3:
        return "、".join(rng.sample(source.keywords, 3))
    return str(base.get("title") or "")


def _amount(rng: random.Random) -> str | None:
    if rng.random() < 0.4:
        return None
    return str(Decimal(rng.randint(100, 50_000_00)) / 100)  # 1.00 .. 50,000.00 万元


def generate_problems(count: int, source: Source, seed: int = SEED + 1) -> list[dict]:
    """Return `count` problems of 30 to 1,000 characters built from the shared problems.

    A third are shared problems as written (short CSL need statements, the city's problems);
    the rest are lengthened by appending other problems and result sentences, as a company's
    detailed posting with 技术指标 and 现有基础 would be, up to MAX_PROBLEM_CHARS.
    """
    rng = random.Random(seed)
    return [synthetic_problem(i, rng, source) for i in range(count)]


def synthetic_problem(index: int, rng: random.Random, source: Source) -> dict:
    """One problem: a shared problem, possibly lengthened towards a target length."""
    base = _pick_problem(rng, source)
    body = _problem_text(base)
    target = len(body) if index % 3 == 0 else rng.randint(200, MAX_PROBLEM_CHARS)
    while len(body) < target:
        piece = _problem_text(_pick_problem(rng, source)) if rng.random() < 0.5 else None
        body += "。" + (piece or rng.choice(source.sentences))
    return {
        "id": 10_000_000 + index,
        "kind": "problem",
        "title": str(base.get("title") or ""),
        "body": body[:MAX_PROBLEM_CHARS],
        "keywords": [],
        "field": base.get("field") or rng.choice(FIELDS),
        "org": str(base.get("company") or "某企业"),
        "stamp": "v1",
        "cooperation": rng.sample(COOPERATION_MODES, 1),
        "amount": None,
    }


def _pick_problem(rng: random.Random, source: Source) -> dict:
    # Half from the city's long plant-language problems, half from CSL's short needs.
    city = [p for p in source.problems if p.get("description") != p.get("title")]
    return rng.choice(city if city and rng.random() < 0.5 else source.problems)


def _problem_text(problem: dict) -> str:
    return str(problem.get("description") or problem.get("title") or "").rstrip("。")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--problems", type=int, default=2)
    args = parser.parse_args(argv)
    exit_if_missing()
    source = load_source()
    for doc in generate_results(args.docs, source):
        print(json.dumps(doc, ensure_ascii=False))
    for doc in generate_problems(args.problems, source):
        print(json.dumps(doc, ensure_ascii=False))


if __name__ == "__main__":
    main()
