"""The policy documents in data/policies/: titles, passages, citations, links to the catalogue, strict loading, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from retrieval import policies as policies_cli
from retrieval.loader import CatalogueError
from retrieval.model import Catalogue
from retrieval.policies import Passage, PolicyDocument, PolicyError, load_policies

ROOT = Path(__file__).resolve().parents[2]
POLICY_FILES = sorted((ROOT / "data" / "policies").glob("*.yaml"))

TITLES = {
    "kexie-measures": "天津市科协加强科创服务工作的若干措施",
    "university-innovation": "天津市“高校科技创新工程”实施意见",
    "work-report-2017": "陆文龙主任在2017年天津市科技和知识产权工作会议上的报告",
    "integration-2025-2027": "天津市推动科技创新和产业创新深度融合工作方案（2025—2027年）",
    "jinnan-14th-plan": "津南区科技创新“十四五”规划",
}

# Passages whose text differs from the seed by a recorded character repair (a `# 校对：` comment in the file),
# keyed by (document id, passage id), with the reason. None so far: the seeds needed line and space repairs only.
REPAIRED: dict[tuple[str, str], str] = {}
REPAIR_MARK = "# 校对："


@pytest.fixture(scope="module")
def documents() -> tuple[PolicyDocument, ...]:
    return load_policies()


def by_id(documents: tuple[PolicyDocument, ...]) -> dict[str, PolicyDocument]:
    return {d.id: d for d in documents}


def passage(document: PolicyDocument, passage_id: str) -> Passage:
    found = document.passage(passage_id)
    assert found is not None, passage_id
    return found


def test_five_documents_with_their_own_titles(documents: tuple[PolicyDocument, ...]) -> None:
    assert {d.id: d.title for d in documents} == TITLES
    docs = by_id(documents)
    # The two texts of seed 002 are two documents, each with its own title and date.
    assert docs["university-innovation"].source == docs["work-report-2017"].source == "002_be33313261e92299.txt"
    assert (docs["university-innovation"].date, docs["work-report-2017"].date) == ("2017-02-10", "2017-01-25")
    assert docs["work-report-2017"].subtitle.startswith("落实“三个着力”重要要求")
    assert docs["jinnan-14th-plan"].number == "津南政办发〔2021〕13号"
    assert all(d.passages and d.short and d.issuer for d in documents)


def test_every_passage_id_is_unique(documents: tuple[PolicyDocument, ...]) -> None:
    for d in documents:
        ids = [p.id for p in d.passages]
        assert len(ids) == len(set(ids)), d.id
        assert all(p.document_id == d.id and p.text for p in d.passages)
    assert len({d.id for d in documents}) == len(documents)


def test_measures_are_split_by_the_documents_own_numbering(documents: tuple[PolicyDocument, ...]) -> None:
    docs = by_id(documents)
    measures = [p.label for p in docs["kexie-measures"].passages if p.label and p.label[0].isdigit()]
    assert measures == [f"{n}." for n in range(1, 17)]
    assert [p.label for p in docs["integration-2025-2027"].passages if p.id.startswith("m")] == [
        f"{n}." for n in range(1, 25)]
    assert [p.label for p in docs["university-innovation"].passages if p.id.startswith("m")] == [
        f"{n}." for n in range(1, 18)]


def test_citations_name_the_title_and_the_place(documents: tuple[PolicyDocument, ...]) -> None:
    docs = by_id(documents)
    kexie = docs["kexie-measures"]
    assert passage(kexie, "m12").citation == "《天津市科协加强科创服务工作的若干措施》三、（三）12."
    assert passage(kexie, "preamble").citation == "《天津市科协加强科创服务工作的若干措施》"
    assert passage(kexie, "tianjin-branch").citation == "《天津市科协加强科创服务工作的若干措施》二、建设“科创中国”天津分中心"
    assert passage(docs["jinnan-14th-plan"], "c3.1.1").citation == "《津南区科技创新“十四五”规划》第三章一、（一）"
    assert passage(docs["work-report-2017"], "2.3.8").citation.endswith("》二、（三）八是")
    assert passage(docs["integration-2025-2027"], "3.2").citation.endswith("》三、（二）")
    for d in documents:
        assert all(p.citation.startswith(f"《{d.title}》") for p in d.passages)


def test_context_gives_the_headings_above_a_passage(documents: tuple[PolicyDocument, ...]) -> None:
    p = passage(by_id(documents)["jinnan-14th-plan"], "c3.1.1")
    assert [h.label for h in p.context] == ["第三章", "一、"]
    assert p.context[-1].heading == "着力增强原始创新策源能力" and p.heading == "积极争取重大平台、项目落地实施"


def test_leads_and_service_links(documents: tuple[PolicyDocument, ...], catalogue: Catalogue) -> None:
    kexie = by_id(documents)["kexie-measures"]
    assert passage(kexie, "m11").lead == ("牵头单位：市科协科普部", "配合单位：市科协科创部、各区科协")
    assert passage(kexie, "m5").services == ("10",)
    assert all(p.lead for p in kexie.passages if p.label.endswith(".")), "every numbered measure names its 牵头单位"
    for d in documents:
        for p in d.passages:
            assert all(s in catalogue.by_id for s in p.services), (d.id, p.id)


def test_cli_check_prints_one_ok_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert policies_cli.main(["--check"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("ok: 5 policy documents, ") and "passages" in out and "\n" not in out


def test_cli_json_lists_documents_with_citations(capsys: pytest.CaptureFixture[str]) -> None:
    assert policies_cli.main(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [d_id for d_id in TITLES]
    assert all(p["citation"].startswith("《") and p["text"] for d in data for p in d["passages"])


KEXIE = "000-kexie-measures.yaml"


@pytest.mark.parametrize("file,old,new,passage,field", [
    (KEXIE, "title: 天津市科协加强科创服务工作的若干措施\n", "", None, "title"),
    (KEXIE, "  label: \"12.\"\n", "  label: \"12.\"\n  colour: red\n", "m12", None),
    (KEXIE, "- id: \"m13\"\n", "- id: \"m12\"\n", "m12", "id"),
    (KEXIE, "  services: [\"10\"]\n", "  services: [\"99\"]\n", "m5", "services[0]"),
    (KEXIE, "  services: [\"10\"]\n", "  services: [10]\n", "m5", "services[0]"),
    (KEXIE, "  label: \"12.\"\n", "", "m12", "label"),
    (KEXIE, "  path: [三、, （三）]\n  label: \"11.\"", "  path: [三、, （九）]\n  label: \"11.\"", "m11", "path"),
    (KEXIE, "- id: \"m12\"", "- id: \"M 12\"", None, "passages[18].id"),
    (KEXIE, "  lead: [牵头单位：市科协科创部, 配合单位：各区科协]\n  # services: 院士",
     "  lead: 牵头单位\n  # services: 院士", "m5", "lead"),
    ("002-university-innovation.yaml", "date: \"2017-02-10\"", "date: 2017-02-10", None, "date"),
    ("002-university-innovation.yaml", "number: \"\"\n", "", None, "number"),
])
def test_malformed_policy_names_file_passage_and_field(data_copy: Path, capsys: pytest.CaptureFixture[str], file: str,
                                                       old: str, new: str, passage: str | None,
                                                       field: str | None) -> None:
    path = data_copy / "policies" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policies(data_copy)
    message = str(info.value)
    assert "\n" not in message and f"policies/{file}" in message
    assert (f"passage {passage}" in message) if passage else ("passage " not in message)
    if field:
        assert f"field {field}:" in message
    assert policies_cli.main(["--check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: {message}"


@pytest.mark.parametrize("tail,problem", [
    ("  - [unclosed\n", r"line \d+: YAML error"),
    ("short: again\n", r"line \d+: YAML error: duplicate key 'short'"),
])
def test_broken_yaml_is_one_line_naming_the_file(data_copy: Path, capsys: pytest.CaptureFixture[str], tail: str,
                                                  problem: str) -> None:
    path = data_copy / "policies" / KEXIE
    path.write_text(path.read_text(encoding="utf-8") + tail, encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"^data/policies/{re.escape(KEXIE)}: {problem}"):
        load_policies(data_copy)
    assert policies_cli.main(["--check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and KEXIE in err


def test_duplicate_document_id_names_both_files(data_copy: Path) -> None:
    shutil.copy(data_copy / "policies" / KEXIE, data_copy / "policies" / "009-copy.yaml")
    with pytest.raises(PolicyError, match=r"009-copy\.yaml: field id: duplicate document id 'kexie-measures' "
                                          r"\(also in data/policies/000-kexie-measures\.yaml\)"):
        load_policies(data_copy)


def test_a_new_file_dropped_into_policies_is_loaded(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data_copy / "policies" / "005-new-notice.yaml").write_text(
        "id: new-notice\ntitle: 一份新文件\nshort: 新文件\nissuer: 天津市科学技术协会\ndate: \"\"\nnumber: \"\"\n"
        "source: 005_new.txt\nheadings:\n- path: [一、]\n  heading: 总则\npassages:\n"
        "- id: \"a1\"\n  path: [一、]\n  label: \"1.\"\n  heading: \"\"\n  text: 第一段。\n  services: [\"10\"]\n",
        encoding="utf-8")
    documents = load_policies(data_copy)
    assert [d.id for d in documents][-1] == "new-notice" and len(documents) == 6
    assert documents[-1].passages[0].citation == "《一份新文件》一、1."
    assert policies_cli.main(["--check", "--data", str(data_copy)]) == 0
    assert capsys.readouterr().out.startswith("ok: 6 policy documents")


def test_service_ids_can_be_given_instead_of_reading_the_catalogue() -> None:
    with pytest.raises(PolicyError, match="is not a catalogue service id"):
        load_policies(service_ids={"01"})


@pytest.mark.source
def test_passage_text_is_the_seeds_text(documents: tuple[PolicyDocument, ...], shared: Path) -> None:
    """Every passage, heading and lead occurs in its seed once whitespace is removed (OCR line breaks, stray spaces)."""
    def squeeze(s: str) -> str:
        return re.sub(r"\s+", "", s)

    seeds: dict[str, str] = {}
    for d in documents:
        seed = seeds.setdefault(d.source, squeeze((shared / "seeds" / d.source).read_text(encoding="utf-8")))
        assert squeeze(d.title) in seed and squeeze(d.subtitle) in seed and d.number in seed, d.id
        for h in d.headings:
            assert squeeze(h.heading) in seed, (d.id, h.path)
        for p in d.passages:
            if (d.id, p.id) in REPAIRED:
                continue
            assert squeeze(p.text) in seed, (d.id, p.id)
            assert squeeze(p.heading) in seed and all(squeeze(x) in seed for x in p.lead), (d.id, p.id)


def test_repaired_passages_are_the_ones_with_a_repair_comment() -> None:
    marked: set[tuple[str, str]] = set()
    for path in POLICY_FILES:
        doc_id = passage = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("id: "):
                doc_id = line.split()[1]
            elif line.startswith("- id: "):
                passage = json.loads(line[len("- id: "):])
            elif line.lstrip().startswith(REPAIR_MARK) and passage:
                marked.add((doc_id, passage))
    assert marked == set(REPAIRED)
