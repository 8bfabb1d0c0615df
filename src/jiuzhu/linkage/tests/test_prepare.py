"""Derived columns: what each kind makes of its values."""

import polars as pl

from jiuzhu.linkage import Compare
from jiuzhu.linkage.prepare import prepare
from jiuzhu.linkage.synth import check_char


def _one(kind, values):
    df = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return prepare(df, [Compare("v", kind)])


def test_homophones_share_pinyin_and_similar_shapes_fold():
    out = _one("name", ["张伟", "章 伟", "王玉明", "玉玉明", "John Smith", "Smith, John", None, ""])
    py, sh, tok = out["c0_py"].to_list(), out["c0_sh"].to_list(), out["c0_tok"].to_list()
    assert py[0] == py[1] == "zhangwei"
    assert sh[2] == sh[3]
    assert py[4] == "johnsmith" and tok[4] == tok[5] == "john smith"
    assert out["c0_n"].to_list()[6:] == [None, None]
    assert out["c0_s1"].to_list()[:2] == ["zhang", "zhang"]


def test_id_numbers_15_digits_upgrade_and_validity():
    body = "32990119840129486"
    valid18 = body + check_char(body)
    out = _one(
        "id",
        [
            valid18,
            "329901840129486",
            valid18.lower(),
            body + "0" if check_char(body) != "0" else body + "1",
            "abc",
            None,
        ],
    )
    n, k17, v = out["c0_n"], out["c0_k17"], out["c0_v"]
    assert n[1] == valid18  # 15 digits: "19" inserted and the check character computed
    assert k17[0] == k17[1] == k17[3] == body
    assert v.to_list() == [1, 0, 1, 0, 0, None]  # an upgraded 15-digit number has no check of its own
    assert out["c0_birth"][0] == "19840129" and out["c0_region"][1] == "329901"


def test_dates_phones_addresses_normalise():
    d = _one("date", ["1984-01-29", "19840129", "1984年1月29日", "1984/1/29", "x", None])["c0_d"]
    assert d.to_list() == ["19840129"] * 4 + [None, None]
    p = _one("phone", ["+86 138 1234 5678", "13812345678", "0086-13812345678", "", None])
    assert p["c0_n"].to_list()[:3] == ["13812345678"] * 3 and p["c0_p8"][0] == "12345678"
    a = _one("address", ["城东街道幸福社区黄河巷55号9栋", "12 Baker Street, Springfield", "12 baker st"])
    tokens = a["c0_tok"].to_list()
    assert tokens[0] == ["城东街道", "幸福社区", "黄河巷", "55号", "9栋"]
    assert tokens[1][:3] == tokens[2] == ["12", "baker", "st"]
