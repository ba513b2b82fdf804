"""The catalogue data: counts, ids, phones, conditions, appendix, department directory, CLI."""

import json
import re

import pytest

from retrieval import catalogue as catalogue_cli
from retrieval.model import SECTION_FIELDS


# Entries whose source prints a conditions/standards/scope block (评选标准与条件, 申报条件, 推荐范围 …),
# checked by hand against the seed.
ENTRIES_WITH_CONDITIONS = {"01", "02", "03", "05", "06", "11", "13", "14", "15", "18", "21", "30", "38", "39",
                           "44", "71"}


def test_all_72_services_with_two_digit_ids(catalogue):
    assert [s.id for s in catalogue.services] == [f"{i:02d}" for i in range(1, 73)]
    assert {s.part_number for s in catalogue.services} == {1, 2, 3, 4, 5}


def test_titles_are_one_line_and_parts_have_sections(catalogue):
    for s in catalogue.services:
        assert s.title and "\n" not in s.title
        assert s.part.startswith("第") and s.section
    assert catalogue.by_id["39"].title == "实施青年科技人才科技成果孵化转化 PLUS 培育计划"  # table of contents wording


def test_every_service_has_department_and_tianjin_phone(catalogue):
    for s in catalogue.services:
        assert s.contact.department
        assert s.contact.phones and all(re.fullmatch(r"022-\d{8}", p) for p in s.contact.phones), s.id
        assert all(w.startswith(("http://", "https://")) for w in s.contact.websites)


@pytest.mark.source
def test_every_phone_printed_in_the_seed_is_in_the_data(catalogue, shared):
    seed = (shared / "seeds" / "001_c383346e03b373dc.txt").read_text(encoding="utf-8")
    printed = set(re.findall(r"0\d{2,3}-\d{7,8}", seed)) | set(re.findall(r"(?<!\d)1\d{10}(?!\d)", seed))
    data = json.dumps(catalogue.to_json(), ensure_ascii=False)
    assert printed, "no phone numbers found in the seed"
    missing = sorted(p for p in printed if p not in data)
    assert not missing, f"phones printed in the seed but missing from data/: {missing}"


def test_entries_with_conditions_in_the_source_have_them(catalogue):
    for sid in ENTRIES_WITH_CONDITIONS:
        cond = catalogue.by_id[sid].conditions
        assert cond is not None and cond.items, sid


def test_scrambled_entries_were_attributed_by_content(catalogue):
    by = catalogue.by_id
    assert "中国创新方法大赛是中国科协、科技部共同主办" in by["33"].introduction.text
    assert "天津赛区比赛" in by["34"].introduction.text
    assert "学术著作" in by["46"].introduction.text and "企业创新发展" in by["45"].introduction.text
    assert "科技期刊" in by["47"].introduction.text and "学术和科普活动计划" in by["48"].introduction.text
    assert "京津冀数字经济联盟" in by["63"].introduction.text and "南开大学" in by["62"].introduction.text
    assert by["57"].contact.emails == ("skxkpb@tj.gov.cn",)  # printed before entry 57's title
    assert by["21"].conditions is not None and len(by["21"].conditions.items) == 8
    assert "康、服务社会" not in by["14"].introduction.text and "服务社会等方面" in by["15"].introduction.text


def test_section_fields_keep_source_headings(catalogue):
    s = catalogue.by_id["13"]
    assert s.conditions.heading == "申报条件" and s.introduction.heading == "项目介绍"
    assert set(SECTION_FIELDS) >= {"introduction", "conditions", "audience", "cycle", "how_to_apply"}


def test_appendix_societies_organisations_and_rules(catalogue):
    groups = {d: len(v) for d, v in catalogue.societies.by_discipline().items()}
    assert groups == {"理学": 26, "工学": 54, "医学": 26, "农学": 7, "交叉": 34}
    assert len(catalogue.societies.societies) == 147
    tast, cast = catalogue.organisation("tast"), catalogue.organisation("cast")
    assert tast.contact.phones == ("022-27126422",) and tast.contact.postcode == "300041"
    assert cast.contact.phones == ("010-68571875",) and "复兴路3号" in cast.contact.address
    assert [a.label for a in catalogue.rules.articles][:2] == ["第一条", "第二条"]
    assert len(catalogue.rules.articles) == 45 and catalogue.rules.articles[-1].label == "第四十五条"


def test_department_directory_groups_spellings_and_lists_services(catalogue):
    dept = catalogue.department("市科协科创部（企业部）")
    assert dept is not None and dept.name == "市科协科创部（企事业部）"
    assert {"18", "38", "03"} <= set(dept.service_ids)
    assert "022-27114778" in dept.phones
    assert sum(len(d.service_ids) for d in catalogue.departments) == 72


def test_cli_check_prints_one_line_summary(capsys):
    assert catalogue_cli.main(["--check"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("ok: 72 services") and "\n" not in out


def test_cli_json_has_services_and_appendix(capsys):
    assert catalogue_cli.main(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["services"][0]
    assert {"id", "title", "part", "section", "contact"} <= set(first)
    assert {"department", "phones", "emails", "websites"} <= set(first["contact"])
    assert {"societies", "organisations", "enterprise_association_rules", "departments"} <= set(data)


def test_cli_reports_a_broken_file_in_one_line(data_copy, capsys):
    path = data_copy / "catalogue" / "part1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("022-27111199", "022-2711", 1), encoding="utf-8")
    assert catalogue_cli.main(["--check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "part1.yaml" in err and "entry 01" in err and "contact.phones[0]" in err


@pytest.mark.parametrize("old,new,entry,field", [
    ("022-27111199", "27111199", "01", "contact.phones[0]"),
    ("    websites:\n    - http://www.tast.org.cn\n- id: \"02\"", "    websites:\n    - www tast org\n- id: \"02\"",
     "01", "contact.websites[0]"),
    ("  title: 推荐全国创新争先奖天津市候选对象\n", "  title: 推荐全国创新争先奖天津市候选对象\n  colour: red\n", "01", None),
    ("- id: \"02\"", "- id: \"01\"", "01", "id"),
    ("  section: 国家级人才举荐与服务\n", "", "01", "section"),
    ("    department: 市科协组人部\n", "    department: 市科协不存在部\n", "01", "contact.department"),
    ("- id: \"03\"", "- id: 3", None, "services[2].id"),
])
def test_malformed_catalogue_names_file_entry_and_field(data_copy, old, new, entry, field):
    from retrieval.loader import CatalogueError, load_catalogue

    path = data_copy / "catalogue" / "part1.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(data_copy)
    message = str(info.value)
    assert "\n" not in message and "part1.yaml" in message
    if entry:
        assert f"entry {entry}" in message
    if field:
        assert f"field {field}" in message


def test_yaml_syntax_error_and_duplicate_keys_are_one_line(data_copy):
    from retrieval.loader import CatalogueError, load_catalogue

    path = data_copy / "catalogue" / "part2.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"part2\.yaml: line \d+: YAML error"):
        load_catalogue(data_copy)
    path = data_copy / "lexicon" / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "公司: [重复]\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="duplicate key '公司'"):
        from retrieval.lexicon import load_lexicon

        load_lexicon(data_copy)


def test_missing_service_is_reported(data_copy):
    from retrieval.loader import CatalogueError, load_catalogue

    (data_copy / "catalogue" / "part5.yaml").unlink()
    with pytest.raises(CatalogueError, match="entry 68: field id: service 68 is missing"):
        load_catalogue(data_copy)
