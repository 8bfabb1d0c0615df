"""Address levels by the most specific part in common: street and house number."""

import polars as pl

from jiuzhu.linkage import link

DISTRICT = "浙江省杭州市西湖区"


def _levels(left, right, compares):
    pairs = link(
        pl.DataFrame(left),
        pl.DataFrame(right),
        id_col="rid",
        compares=compares,
        progress=False,
        detail=True,
        threshold=0.0,
        train=False,
    )
    return {(r["id_l"], r["id_r"]): r for r in pairs.iter_rows(named=True)}


def test_same_street_and_number_beats_same_district():
    left = {
        "rid": ["a", "b", "c", "d"],
        "name": ["张伟", "李娜", "王芳", "陈静"],
        "address": [
            DISTRICT + "文三路12号",
            DISTRICT + "文三路12号",
            "红星村3组",
            "12 Wattle Street, Dickson",
        ],
    }
    right = {
        "rid": ["w", "x", "y", "z"],
        "name": ["张伟", "李娜", "王芳", "陈静"],
        "address": [
            "杭州西湖区文三路12号2单元301室",  # the same house, the rest written otherwise
            DISTRICT + "天目山路88号",  # the same district only
            "红星村5组",  # the same village, another group
            "12 wattle st",
        ],
    }
    levels = _levels(left, right, ["name:name", "address:address"])
    assert levels[("a", "w")]["address__level"] == "街路门牌相同"
    assert levels[("b", "x")]["address__level"] != "高度相似"
    assert levels[("b", "x")]["address__level"] in ("三段以上相同", "相似", "不同")
    assert levels[("c", "y")]["address__level"] == "同一街路"
    assert levels[("d", "z")]["address__level"] == "街路门牌相同"
    assert levels[("a", "w")]["match_probability"] > levels[("b", "x")]["match_probability"]


def test_two_house_numbers_on_one_street_are_not_very_similar():
    left = {"rid": ["a"], "name": ["张伟"], "address": [DISTRICT + "文三路12号"]}
    right = {"rid": ["w"], "name": ["张伟"], "address": [DISTRICT + "文三路18号"]}
    assert _levels(left, right, ["name:name", "address:address"])[("a", "w")]["address__level"] == "同一街路"


def test_the_district_alone_is_not_the_same_address_beside_a_phone():
    left = {"rid": ["a", "b"], "name": ["张伟", "李娜"], "phone": ["13812345678", "13900001111"]}
    left["address"] = [DISTRICT + "文三路12号", DISTRICT + "文三路12号"]
    right = {"rid": ["w", "x"], "name": ["张伟", "李娜"], "phone": ["13700000000", "13600002222"]}
    right["address"] = ["西湖区文三路12号", DISTRICT + "天目山路88号"]
    levels = _levels(left, right, ["name:name", "phone:phone", "address:address"])
    assert levels[("a", "w")]["phone+address__level"] == "地址相同"
    assert levels[("b", "x")]["phone+address__level"] == "同一地区"
