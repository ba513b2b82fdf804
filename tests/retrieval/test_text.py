"""Normalisation: width, script, case, spacing, invisible characters, numerals."""

from retrieval.text import chinese_number, compact, normalise


def test_full_width_and_case():
    assert normalise("ＰＬＵＳ　計劃") == "plus 计划"
    assert normalise("Ｕ３０") == "u30"


def test_traditional_characters_become_simplified():
    assert normalise("青年人才託舉工程的申報條件") == "青年人才托举工程的申报条件"


def test_control_and_bidi_characters_are_removed():
    assert normalise("青托\u202e条件\u200b\x07") == "青托 条件"


def test_chinese_numerals_before_units():
    assert normalise("连续资助三年，今年三十一岁，八十多岁") == "连续资助3年,今年31岁,80多岁"
    assert normalise("两院院士 十四五") == "两院院士 十四五"  # not counts of a unit
    assert chinese_number("四十五") == 45 and chinese_number("十") == 10 and chinese_number("abc") is None


def test_compact_drops_spaces_and_punctuation():
    assert compact("创交会 报名！") == "创交会报名"


def test_strip_invisible_equals_the_per_character_category_check():
    import unicodedata

    from retrieval.text import _INVISIBLE, strip_invisible

    # Every code point (surrogates included), against the loop over characters it replaced.
    text = "".join(map(chr, range(0, 0x110000, 3))) + "\ud800a\u200b\u202e\x00\n"
    expected = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    assert strip_invisible(text) == expected
    assert strip_invisible("青托\u200b申报\u202e") == "青托 申报 "
