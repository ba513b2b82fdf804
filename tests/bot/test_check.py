"""python -m bot.check: every file the assistant reads at start, checked as it reads them, in one line."""

from __future__ import annotations

import shutil

import pytest

from bot import check
from conversations.loader import FLOWS_DIR


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    status = check.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def test_the_projects_files_are_ok_in_one_line(capsys):
    status, out, err = run(capsys)
    assert status == 0 and err == [] and len(out) == 1
    assert out[0].startswith("ok: 72 services") and "eligibility checks" in out[0]


BREAKS = [
    ("catalogue/part2.yaml", "{: [unclosed\n"),
    ("appendix/societies.yaml", "- a list\n"),
    ("policies/000-kexie-measures.yaml", "- a list\n"),
    ("lexicon/intents.yaml", "contact: 3\n"),
    ("lexicon/userdict.txt", "{: [unclosed\n"),
    ("examples/services_part1.yaml", "- a list\n"),
    ("english.yaml", "names: 3\n"),
    ("decision.yaml", "- a list\n"),
    ("retrieval.yaml", "bm25: x\n"),
    ("review.yaml", "noise: 3\n"),
]


@pytest.mark.parametrize("name, text", BREAKS, ids=[b[0] for b in BREAKS])
def test_a_broken_data_file_is_one_error_line_naming_it(capsys, data_copy, name, text):
    (data_copy / name).write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "--data", str(data_copy))
    assert status == 1 and out == [] and len(err) == 1, err
    assert err[0].startswith("error: ") and name.rsplit("/", 1)[-1] in err[0]


def test_a_missing_fitted_decision_is_one_line(capsys, data_copy):
    (data_copy / "decision.yaml").unlink()
    status, _, err = run(capsys, "--data", str(data_copy))
    assert status == 1 and len(err) == 1 and "decision.yaml" in err[0] and "calibrate" in err[0]


def test_a_broken_flow_is_one_line_naming_it(capsys, tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, flows)
    path = flows / "engineer_seminar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('service: "18"', 'service: "99"'), encoding="utf-8")
    status, _, err = run(capsys, "--flows", str(flows))
    assert status == 1 and len(err) == 1 and "engineer_seminar.yaml" in err[0]
