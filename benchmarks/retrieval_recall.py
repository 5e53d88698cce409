"""Retrieval recall@k on the dev questions: keyword only, dense only, and fused (weighted RRF).

    .venv/bin/python benchmarks/retrieval_recall.py                 # ingest into a temp home, offline LSA
    .venv/bin/python benchmarks/retrieval_recall.py --home /tmp/nb  # reuse (or build) an index there

A question is a hit when one of the top-k chunks comes from the gold ``source.file`` and its text or
context contains the gold ``source.quote`` (whitespace-insensitive, NFKC) or states the answer value.
Unanswerable questions are skipped. Two settings are printed: over the whole corpus, and
restricted to the gold report (what remains once the question's region/year picked the report).

Latest (offline LSA, 64 answerable dev questions, 1648 chunks):
               keyword  dense  fused dense×0.25  ×0.5  ×1
  @5 corpus       57      49        58            59    59
  @5 gold report  58      58        61            61    61
  @10 corpus      62      56        62            61    61
  @10 gold report 62      61        63            62    62
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingestion.pipeline import ingest  # noqa: E402
from rag.index import Index, open_index  # noqa: E402
from rag.numbers import find_quantities, normalize  # noqa: E402
from rag.retriever import fuse  # noqa: E402
from rag.settings import BUNDLED_REPORTS, Settings  # noqa: E402
from rag.types import Chunk, Hit, SearchFilter  # noqa: E402

QUESTIONS = REPO / "evals" / "dev-questions.jsonl"
POOL = 50
Search = Callable[[str, SearchFilter | None], list[Hit]]


def main() -> int:
    """Print recall@k per retriever and question kind."""
    args = _arguments()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="nianbao-recall-"))
    index = open_index(Settings(home=home))
    if index.stats()["documents"] == 0:
        started = time.perf_counter()
        ingest([BUNDLED_REPORTS], index)
        print(f"ingested into {home} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    questions = [q for q in _questions() if q["source"].get("file") and q["kind"] != "unanswerable"]
    docs = {d.file: d.doc_id for d in index.documents()}
    retrievers = _retrievers(index, weights=[float(w) for w in args.dense_weights.split(",")])
    print(f"{len(questions)} dev questions with a source ({index.stats()})")
    for k in (int(x) for x in args.k.split(",")):
        for scope in ("corpus", "gold report"):
            print(f"\n== recall@{k}, {scope} ==")
            _report(questions, retrievers, k=k, docs=docs if scope == "gold report" else None)
    index.close()
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="index folder (default: a new temp folder)")
    parser.add_argument("--k", default="5,10", help="cut-offs, comma-separated")
    parser.add_argument("--dense-weights", default="0.5,1.0", help="dense weights to try in RRF (BM25 = 1)")
    return parser.parse_args()


def _questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _retrievers(index: Index, *, weights: Sequence[float]) -> dict[str, Search]:
    def keyword(q: str, where: SearchFilter | None) -> list[Hit]:
        return index.keyword_search(q, k=POOL, where=where)

    def dense(q: str, where: SearchFilter | None) -> list[Hit]:
        return index.dense_search(q, k=POOL, where=where)

    def fused(weight: float) -> Search:
        return lambda q, where: fuse({"bm25": keyword(q, where), "dense": dense(q, where)},
                                     weights={"bm25": 1.0, "dense": weight})

    found: dict[str, Search] = {"keyword": keyword, "dense": dense}
    found.update({f"fused(dense×{w:g})": fused(w) for w in weights})
    return found


def _report(questions: list[dict[str, Any]], retrievers: dict[str, Search], *, k: int,
            docs: dict[str, str] | None) -> None:
    kinds = sorted({q["kind"] for q in questions})
    print(f"{'retriever':<18}{'all':>8}" + "".join(f"{kind:>12}" for kind in kinds))
    for name, search in retrievers.items():
        hits: dict[str, list[bool]] = defaultdict(list)
        for q in questions:
            where = SearchFilter(doc_ids=(docs[q["source"]["file"]],)) if docs else None
            ok = any(_is_hit(h.chunk, q) for h in search(q["question"], where)[:k])
            hits[q["kind"]].append(ok)
            hits["all"].append(ok)
        cells = "".join(f"{_share(hits[kind]):>12}" for kind in kinds)
        print(f"{name:<18}{_share(hits['all']):>8}{cells}")


def _share(values: list[bool]) -> str:
    return f"{sum(values)}/{len(values)}"


def _is_hit(chunk: Chunk, question: dict[str, Any]) -> bool:
    source, answer = question["source"], question["answer"]
    if chunk.file != source["file"]:
        return False
    text = _squash(f"{chunk.context}\n{chunk.text}")
    if source.get("quote") and _squash(source["quote"]) in text:
        return True
    if "text" in answer:
        return _squash(answer["text"]) in text
    value = answer.get("value")
    if value is None:
        return False
    tolerance = question.get("tolerance") or 0
    return any(abs(q.value - value) <= tolerance + 1e-9 for q in find_quantities(chunk.text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


if __name__ == "__main__":
    raise SystemExit(main())
