"""The retrieval benchmark runs from the repository alone and reports every figure it promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import bench

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.bench


def test_default_questions_are_the_repositorys_own():
    assert bench.DEFAULT_QUESTIONS == [ROOT / "eval" / "holdout_a.yaml", ROOT / "eval" / "holdout_b.yaml"]
    assert all(p.exists() for p in bench.DEFAULT_QUESTIONS)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50 and bench.percentile(values, 99) == 99
    assert bench.percentile([3.0], 99) == 3.0


def test_baseline_ranks_the_same_documents(searcher):
    baseline = bench.Baseline(list(searcher.index.docs))
    top = baseline.search("青年科技人才托举工程的申报条件")
    assert len(top) == 10 and set(top) <= {d.answer for d in searcher.index.docs}


def test_synthetic_catalogue_figures(tmp_path):
    questions = ["青托对年龄有什么要求", "科技小院怎么申请", "院士站"]
    figures = bench.synthetic(30, questions, str(tmp_path))
    assert figures["services"] == 30 and figures["documents"] > 30
    assert figures["build_s"] > 0 and figures["build_cpu_s"] > 0 and figures["p99_ms"] >= figures["p50_ms"] > 0


def test_one_run_reports_every_figure(capsys):
    assert bench.main(["--questions", str(ROOT / "eval" / "holdout_b.yaml"), "--sizes", "--rounds", "1",
                       "--cold-runs", "1", "--json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"machine", "questions", "cold_start", "latency_ms", "synthetic", "targets"}
    cold = report["cold_start"]
    assert cold["median_s"] > 0 and cold["cpu_median_s"] > 0 and cold["peak_rss_mib"] > 0 and cold["first_start_without_caches_s"] > 0
    assert cold["bare_jieba_median_s"] > 0 and cold["ratio_to_jieba"] > 0
    latency = report["latency_ms"]
    assert latency["services"] == 72 and latency["questions"] == report["questions"]["count"] > 100
    assert latency["project"]["p99"] > 0 and latency["baseline"]["p99"] > 0 and latency["p99_ratio_to_baseline"] > 0
    assert report["synthetic"] == []
