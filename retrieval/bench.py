"""Retrieval benchmark: cold start, per-question latency, peak memory, and synthetic catalogues.

    python -m retrieval.bench [--questions FILE] [--sizes 1000 10000]

Prints figures only (targets are in the README, not asserted here): cold start to first answer in a
fresh process, per-question p50/p99 over the question file at 72 services, peak RSS, and for larger
synthetic catalogues (built by recombining sentences of real entries) the index build time and p99.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .evaluate import load_questions
from .index import Doc, SearchIndex
from .search import Searcher

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.yaml"

_COLD = ("import time, resource; t = time.perf_counter(); from retrieval.search import Searcher; "
         "s = Searcher.build(); s.search('青托对年龄有什么要求'); "
         "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def cold_start() -> tuple[float, float, float]:
    """Return (seconds from process start to first answer, seconds inside Python, peak RSS MiB)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    wall = time.perf_counter() - start
    return wall, float(out[0]), float(out[1]) / 1024


def latencies(searcher: Searcher, questions: list[str], rounds: int = 3) -> list[float]:
    """Return per-question search times in milliseconds (after one warm-up pass)."""
    for q in questions:
        searcher.search(q)
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            searcher.search(q)
            times.append((time.perf_counter() - t) * 1000)
    return times


def synthetic_docs(searcher: Searcher, size: int, seed: int = 7) -> list[Doc]:
    """Return `size` service-like documents recombined from the real entries' sentences and titles."""
    rng = random.Random(seed)
    real = [d for d in searcher.index.docs if d.key == ""]
    sentences = [s for d in real for s in re.split(r"(?<=[。；])", d.body) if len(s) > 8]
    titles = [d.name.split("\n")[0] for d in real]
    docs = []
    for i in range(size):
        base = real[i % len(real)]
        title = f"{rng.choice(titles)}（{i}）"
        body = "".join(rng.sample(sentences, 6))
        docs.append(Doc(answer=f"x{i}", key="", name="\n".join((title, *base.phrases[1:2])), body=body,
                        phrases=(title,)))
    return docs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS), help="question file (default: dev sample)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000], help="synthetic catalogue sizes")
    args = parser.parse_args(argv)
    questions = [q.q for q in load_questions(args.questions)]

    wall, inside, rss = cold_start()
    print(f"cold start to first answer: {wall:.2f} s (process start; {inside:.2f} s after interpreter start), "
          f"peak RSS {rss:.0f} MiB")
    searcher = Searcher.build()
    times = latencies(searcher, questions)
    print(f"72 services: {len(questions)} questions × 3, p50 {statistics.median(times):.2f} ms, "
          f"p99 {percentile(times, 99):.2f} ms")
    for size in args.sizes:
        docs = synthetic_docs(searcher, size)
        t = time.perf_counter()
        index = SearchIndex(docs + list(searcher.index.docs), searcher.tokenizer, searcher.config)
        build = time.perf_counter() - t
        big = Searcher(searcher.catalogue, searcher.lexicon, searcher.tokenizer, searcher.config, index)
        times = latencies(big, questions, rounds=1)
        print(f"{size + len(searcher.index.docs)} documents ({size} synthetic services): index build {build:.1f} s, "
              f"p50 {statistics.median(times):.2f} ms, p99 {percentile(times, 99):.2f} ms")
    rss_now = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this benchmark process (including the largest synthetic index): {rss_now:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
