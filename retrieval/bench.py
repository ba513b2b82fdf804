"""Retrieval benchmark: cold start, latency against a naive BM25 baseline, memory, synthetic catalogues.

    python -m retrieval.bench [--json] [--questions FILE ...] [--sizes 1000 10000 50000] [--rounds 3]

Prints figures only (targets are reported beside them, never asserted):
- cold start to first answer: a fresh process from its start to the first search result, with everything
  a first question needs built (the typo corrector's index, the warm-up of Searcher.warm), median of
  `--cold-runs` runs with the start-up caches in place (the first, cache-less start is reported too), and
  the peak RSS of that process; beside it, interleaved, a bare jieba start (import jieba, load its
  dictionary from its own cache, cut one question) and the ratio of the two medians;
- per-question p50/p99 at the real catalogue for this project and, interleaved in the same process on
  the same documents and questions, a naive baseline (jieba's cut + rank-bm25's BM25Okapi); the ratio of
  the p99s is the headline figure;
- for synthetic catalogues (sentences of real entries recombined), each in its own process: index
  build time, p50/p99 and the index's memory.
The question files default to the repository's held-out sets (eval/holdout_a.yaml, eval/holdout_b.yaml).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from .evaluate import load_questions
from .index import Doc, SearchIndex
from .search import Searcher
from .tokenize import load_dictionary

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = [REPO / "eval" / "holdout_a.yaml", REPO / "eval" / "holdout_b.yaml"]
DEFAULT_SIZES = [1000, 10000, 50000]

TARGETS = {
    "cold_start_s": 1.0,
    "cold_start_ratio_to_jieba": 1.2,
    "peak_rss_mib": 110,
    "p99_ms": 2.0,
    "p99_ratio_to_baseline": 2.0,
    "p99_ms_10000": 10.0,
    "p99_ms_50000": 50.0,
    "build_s_10000": 25.0,
    "index_mib_10000": 150,
}

# Run in a fresh interpreter: prints the wall-clock time of the first answer, seconds since imports
# began, CPU seconds of the process and its peak RSS in KiB.
_COLD = ("import time, resource, sys; t = time.perf_counter(); from retrieval.search import Searcher; "
         "s = Searcher.build(cache_dir=sys.argv[1]).warm(); s.search('青托对年龄有什么要求'); "
         "u = resource.getrusage(resource.RUSAGE_SELF); "
         "print(time.time(), time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss)")
# The same for a bare jieba: its own dictionary cache (in the directory given), one question cut.
_JIEBA = ("import time, resource, sys; t = time.perf_counter(); import jieba; jieba.setLogLevel(60); "
          "jieba.dt.tmp_dir = sys.argv[1]; jieba.initialize(); jieba.lcut('青托对年龄有什么要求'); "
          "u = resource.getrusage(resource.RUSAGE_SELF); "
          "print(time.time(), time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss)")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _summary(times: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(times), 3), "p99": round(percentile(times, 99), 3),
            "max": round(max(times), 3)}


def cold_start(cache_dir: Path, program: str = _COLD) -> dict[str, float]:
    """Return seconds from process start to first answer (wall clock), seconds after imports began, peak RSS MiB."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", program, str(cache_dir)], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout.split()
    return {"seconds": float(out[0]) - start, "inside_python_s": float(out[1]), "cpu_s": float(out[2]),
            "peak_rss_mib": float(out[3]) / 1024}


def cold_starts(runs: int) -> dict[str, Any]:
    """Return the first start (no caches) and the median of `runs` starts with the caches in place, and as many
    bare jieba starts interleaved with them."""
    with tempfile.TemporaryDirectory(prefix="kechuang-bench-") as tmp, \
            tempfile.TemporaryDirectory(prefix="kechuang-bench-jieba-") as jieba_tmp:
        first = cold_start(Path(tmp))
        cold_start(Path(jieba_tmp), _JIEBA)  # writes jieba's own cache
        warm, bare = [], []
        for _ in range(runs):
            warm.append(cold_start(Path(tmp)))
            bare.append(cold_start(Path(jieba_tmp), _JIEBA))
    median = statistics.median(w["seconds"] for w in warm)
    jieba_median = statistics.median(b["seconds"] for b in bare)
    return {
        "runs": runs,
        "median_s": round(median, 3),
        "bare_jieba_median_s": round(jieba_median, 3),
        "ratio_to_jieba": round(median / jieba_median, 3),
        "all_s": [round(w["seconds"], 3) for w in warm],
        "inside_python_median_s": round(statistics.median(w["inside_python_s"] for w in warm), 3),
        # CPU time is what a busy shared machine inflates least.
        "cpu_median_s": round(statistics.median(w["cpu_s"] for w in warm), 3),
        "peak_rss_mib": round(statistics.median(w["peak_rss_mib"] for w in warm), 1),
        "first_start_without_caches_s": round(first["seconds"], 3),
        "first_start_peak_rss_mib": round(first["peak_rss_mib"], 1),
    }


class Baseline:
    """The naive approach: jieba's default cut of each document, BM25Okapi, top 10 by score."""

    def __init__(self, docs: list[Doc], cache_dir: str | Path | None = None) -> None:
        self.jieba = jieba.Tokenizer()
        load_dictionary(self.jieba, cache_dir)
        self.answers = [d.answer for d in docs]
        self.bm25 = BM25Okapi([self.jieba.lcut(d.name + "\n" + d.body) for d in docs])

    def search(self, question: str) -> list[str]:
        """Return the answer ids of the ten best documents."""
        scores = self.bm25.get_scores(self.jieba.lcut(question))
        return [self.answers[i] for i in np.argsort(-scores, kind="stable")[:10]]


def latencies(searcher: Searcher, questions: list[str], rounds: int,
              baseline: Baseline | None = None) -> tuple[list[float], list[float]]:
    """Return per-question milliseconds (project, baseline) after one warm-up pass; interleaved per question."""
    for q in questions:
        searcher.search(q)
        if baseline:
            baseline.search(q)
    ours: list[float] = []
    theirs: list[float] = []
    clock = time.perf_counter
    for r in range(rounds):
        for n, q in enumerate(questions):
            # Alternate which goes first, so neither always runs on a cache the other warmed.
            for which in ((0, 1) if (n + r) % 2 == 0 else (1, 0)):
                if which == 0:
                    t = clock()
                    searcher.search(q)
                    ours.append((clock() - t) * 1000)
                elif baseline:
                    t = clock()
                    baseline.search(q)
                    theirs.append((clock() - t) * 1000)
    return ours, theirs


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


def _rss_mib() -> float:
    """Return the resident set size now (Linux /proc), or the peak where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def synthetic(size: int, questions: list[str], cache_dir: str) -> dict[str, Any]:
    """Build an index of `size` synthetic services plus the real documents; return its figures."""
    searcher = Searcher.build(cache_dir=cache_dir)
    docs = synthetic_docs(searcher, size) + list(searcher.index.docs)
    gc.collect()
    before = _rss_mib()
    t, cpu = time.perf_counter(), time.process_time()
    index = SearchIndex(docs, searcher.tokenizer, searcher.config)
    build, cpu = time.perf_counter() - t, time.process_time() - cpu
    gc.collect()
    memory = _rss_mib() - before
    big = Searcher(replace(searcher.parts, index=index))
    gc.collect()
    gc.freeze()  # as the bot does after its start: the index is not walked by every collection
    times, _ = latencies(big, questions, rounds=1)
    return {"services": size, "documents": len(docs), "build_s": round(build, 2), "build_cpu_s": round(cpu, 2),
            "index_mib": round(memory, 1),
            "p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3)}


def _synthetic_in_child(size: int, question_files: list[str], cache_dir: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "retrieval.bench", "--worker-size", str(size), "--cache-dir", cache_dir,
           "--questions", *question_files]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def run(question_files: list[str], sizes: list[int], rounds: int, cold_runs: int) -> dict[str, Any]:
    """Run every measurement and return the figures as one JSON-ready object."""
    questions = [q.q for f in question_files for q in load_questions(f)]
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                    "python": platform.python_version()},
        "questions": {"files": question_files, "count": len(questions)},
        "cold_start": cold_starts(cold_runs),
    }
    with tempfile.TemporaryDirectory(prefix="kechuang-bench-") as cache_dir:
        searcher = Searcher.build(cache_dir=cache_dir)
        baseline = Baseline(list(searcher.index.docs), cache_dir)
        ours, theirs = latencies(searcher, questions, rounds, baseline)
        report["latency_ms"] = {
            "services": len(searcher.catalogue.services), "documents": len(searcher.index.docs),
            "questions": len(questions), "rounds": rounds,
            "project": _summary(ours), "baseline": _summary(theirs),
            "p99_ratio_to_baseline": round(percentile(ours, 99) / percentile(theirs, 99), 3),
        }
        del searcher, baseline
        gc.collect()
        report["synthetic"] = [_synthetic_in_child(size, question_files, cache_dir) for size in sizes]
    report["targets"] = TARGETS
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def _print(report: dict[str, Any]) -> None:
    cold, lat, m = report["cold_start"], report["latency_ms"], report["machine"]
    print(f"machine: {m['cpus']} CPUs, load average {m['load_average']} before, {m['load_average_after']} after")
    print(f"cold start to first answer: {cold['median_s']:.2f} s (median of {cold['runs']}: {cold['all_s']}; "
          f"first start without caches {cold['first_start_without_caches_s']:.2f} s; CPU {cold['cpu_median_s']:.2f} s), "
          f"peak RSS {cold['peak_rss_mib']:.0f} MiB; a bare jieba start {cold['bare_jieba_median_s']:.2f} s, "
          f"ratio {cold['ratio_to_jieba']:.2f}")
    p, b = lat["project"], lat["baseline"]
    print(f"{lat['services']} services ({lat['documents']} documents), {lat['questions']} questions × {lat['rounds']}: "
          f"p50 {p['p50']:.2f} ms, p99 {p['p99']:.2f} ms; naive jieba + BM25Okapi p50 {b['p50']:.2f} ms, "
          f"p99 {b['p99']:.2f} ms; p99 ratio {lat['p99_ratio_to_baseline']:.2f}")
    for s in report["synthetic"]:
        print(f"{s['services']} synthetic services ({s['documents']} documents): index build {s['build_s']:.1f} s "
              f"(CPU {s['build_cpu_s']:.1f} s), "
              f"index {s['index_mib']:.0f} MiB, p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", default=[str(p) for p in DEFAULT_QUESTIONS],
                        help="question files (default: eval/holdout_a.yaml eval/holdout_b.yaml)")
    parser.add_argument("--sizes", type=int, nargs="*", default=DEFAULT_SIZES,
                        help="synthetic catalogue sizes (default: 1000 10000 50000; none to skip)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions at the real catalogue")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold start median")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worker-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_size is not None:
        questions = [q.q for f in args.questions for q in load_questions(f)]
        print(json.dumps(synthetic(args.worker_size, questions, args.cache_dir)))
        return 0
    report = run(args.questions, args.sizes, args.rounds, args.cold_runs)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
