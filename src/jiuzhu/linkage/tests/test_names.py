"""Name comparison: order swaps (columns swapped, given name first in pinyin), surnames read
as surnames (覃 tan), similar-shape characters from the derived table."""

import polars as pl

from jiuzhu.linkage import Compare, dedupe, link
from jiuzhu.linkage.prepare import prepare
from jiuzhu.linkage.shapes import SHAPES_FILE, shape_table, similar


def _name(values):
    df = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return prepare(df, [Compare("v", "name")])


def test_surnames_with_a_special_reading_are_read_as_surnames():
    pairs = [
        ("覃", "谭"),
        ("曾", "增"),
        ("单", "山"),
        ("解", "谢"),
        ("仇", "求"),
        ("区", "欧"),
        ("朴", "瓢"),
        ("查", "扎"),
        ("翟", "宅"),
    ]
    out = _name([a + "海军" for a, _ in pairs] + [b + "海军" for _, b in pairs])
    py = out["c0_py"].to_list()
    assert py[: len(pairs)] == py[len(pairs) :]
    assert py[0] == "tanhaijun" and py[3] == "xiehaijun" and py[8] == "zhaihaijun"
    # inside a given name the character keeps its common reading (单 dan, 曾 ceng)
    assert _name(["李单曾"])["c0_py"][0] == "lidanceng"


def test_given_name_first_pinyin_meets_the_name_in_characters():
    tok = _name(["刘思俊", "Sijun Liu", "LIU Sijun", "刘新华"])["c0_tok"].to_list()
    assert tok[0] == tok[1] == tok[2] == "liu sijun"
    assert tok[3] != tok[0]


def test_the_shape_table_is_derived_and_knows_the_common_confusions():
    header = SHAPES_FILE.read_text(encoding="utf-8").splitlines()[:2]
    assert "char_similar" in header[1]  # made from the package's data, not typed by hand
    for a, b in ["彤肜", "倩情", "宇字", "王玉", "未末", "己已", "午牛", "明朋"]:
        assert similar(a, b) and similar(b, a), (a, b)
    for a, b in ["伟伦", "伟仁", "倩伟", "志杰", "敏静", "张章", "冯凭"]:
        assert not similar(a, b), (a, b)
    assert len(shape_table()) > 5000


def test_names_differing_in_one_look_alike_character_share_a_shape_variant():
    shk = _name(["李彤", "李肜", "王倩", "王情", "宇航", "字航", "王伟", "王伦", "彤彤彤彤彤"])[
        "c0_shk"
    ].to_list()

    def share(i, j):
        return bool(set(shk[i] or []) & set(shk[j] or []))

    assert share(0, 1) and share(2, 3) and share(4, 5)
    assert not share(6, 7) and not share(0, 3)
    assert shk[8] is None  # longer than a Chinese name: no variants


def test_similar_shape_in_kinds_v6_holds_on_the_same_pairs_as_the_variants_of_v5():
    """v6 compares each position's look-alikes (shp) instead of intersecting the variant
    lists (shk): on every pair of these names both say the same."""
    import duckdb

    from jiuzhu.linkage.comparisons import SETTINGS_DIR, load_kinds

    look_alike = ["李彤", "李肜", "王倩", "王情", "宇航", "字航", "王玉兰", "玉玉兰", "王王兰", "张未明"]
    other = ["张末明", "张未朋", "张末朋", "王伟", "王伦", "彤", "肜", "彤彤彤彤", "彤彤彤肜", "彤彤彤彤彤"]
    other += ["彤彤彤彤肜", "Li Tong", "李彤a", "李肜a", "玉王", "王", "王伟伟", "晴睛", "睛晴", None]
    names = look_alike + other
    prepared = _name(names)
    level = next(
        s
        for s in load_kinds(SETTINGS_DIR / "kinds.v6.yaml")["kinds"]["name"]["levels"]
        if s["label"] == "形近字"
    )
    v6 = level["sql"].format(n="c0_n", shp="c0_shp")
    con = duckdb.connect()
    con.register("p", prepared.to_arrow())
    rows = con.sql(
        "WITH pairs AS (SELECT l.c0_n AS c0_n_l, r.c0_n AS c0_n_r, l.c0_shp AS c0_shp_l,"
        " r.c0_shp AS c0_shp_r, coalesce(len(list_intersect(l.c0_shk, r.c0_shk)) >= 1, false) AS v5"
        " FROM p l, p r WHERE l.uid < r.uid AND l.c0_n <> r.c0_n)"
        f" SELECT c0_n_l, c0_n_r, v5, coalesce({v6}, false) AS v6 FROM pairs"
    ).fetchall()
    assert len(rows) > 300
    assert [r for r in rows if r[2] != r[3]] == []
    held = {(a, b) for a, b, v5, _ in rows if v5}
    assert {
        ("李彤", "李肜"),
        ("王倩", "王情"),
        ("王玉兰", "玉玉兰"),
        ("张未明", "张末明"),
        ("彤彤彤彤", "彤彤彤肜"),
    } <= held
    assert ("张未明", "张末朋") not in held and ("彤彤彤彤彤", "彤彤彤彤肜") not in held


def test_kinds_v6_gives_the_pairs_of_kinds_v5():
    from jiuzhu.linkage import synth
    from jiuzhu.linkage.comparisons import SETTINGS_DIR

    df = synth.persons(3000, seed=5).select("rec_id", "name", "id_number", "birth_date", "phone", "address")
    run = dict(id_col="rec_id", preset="person", detail=True, progress=False)
    v6 = dedupe(df, settings=SETTINGS_DIR / "kinds.v6.yaml", **run)
    assert v6.equals(dedupe(df, settings=SETTINGS_DIR / "kinds.v5.yaml", **run))


def _levels(left, right, compares):
    pairs = link(
        pl.DataFrame(left),
        pl.DataFrame(right),
        id_col="rid",
        compares=compares,
        progress=False,
        detail=True,
        threshold=0.0,
    )
    return {(r["id_l"], r["id_r"]): r for r in pairs.iter_rows(named=True)}


def test_link_levels_for_shape_surname_and_order():
    left = {
        "rid": ["a", "b", "c", "d"],
        "name": ["李彤", "覃海军", "刘思俊", "王伟"],
        "birth_date": ["1980-01-02"] * 4,
    }
    right = {
        "rid": ["w", "x", "y", "z"],
        "name": ["李肜", "谭海军", "Sijun Liu", "王伦"],
        "birth_date": ["1980-01-02"] * 4,
    }
    levels = _levels(left, right, ["name:name", "birth_date:date"])
    assert levels[("a", "w")]["name__level"] == "形近字"
    assert levels[("b", "x")]["name__level"] == "同音字（拼音相同）"
    assert levels[("c", "y")]["name__level"] == "姓名顺序不同"
    assert levels[("d", "z")]["name__level"] == "不同"


def test_a_given_name_character_added_or_dropped_has_its_own_level():
    """Kinds v7: 张伟 / 张文伟 (a two-character name) was "different" to v6, since 相差一字
    asks for three characters on both sides; another surname, or a name in letters, is not
    this level."""
    left = {
        "rid": ["a", "b", "c", "d", "e"],
        "name": ["张伟", "唐敏斌", "张伟", "王丽华", "jon smith"],
        "birth_date": ["1980-01-02"] * 5,
    }
    right = {
        "rid": ["v", "w", "x", "y", "z"],
        "name": ["张文伟", "唐敏", "王文伟", "王丽", "john smith"],
        "birth_date": ["1980-01-02"] * 5,
    }
    levels = _levels(left, right, ["name:name", "birth_date:date"])
    assert levels[("a", "v")]["name__level"] == "名字多一字或少一字"
    assert levels[("b", "w")]["name__level"] == "名字多一字或少一字"
    assert levels[("d", "y")]["name__level"] == "名字多一字或少一字"
    assert levels[("c", "x")]["name__level"] == "不同"  # the surname differs as well
    assert levels[("e", "z")]["name__level"] != "名字多一字或少一字"
    # it weighs for the pair: above "different", below a homophone
    assert levels[("a", "v")]["match_probability"] > levels[("c", "x")]["match_probability"]


def test_given_name_and_surname_typed_in_each_other_columns_are_one_name():
    people = pl.DataFrame(
        {
            "rid": ["1", "2", "3", "4"],
            "given_name": ["joshua", "white", "joshua", "mary"],
            "surname": ["white", "joshua", "black", "white"],
            "dob": ["19800102", "19800102", "19800102", "19800102"],
            "postcode": ["2600", "2600", "2600", "2600"],
        }
    )
    compares = ["given_name+surname:name", "dob:date", "postcode:postcode"]
    pairs = dedupe(people, id_col="rid", compares=compares, progress=False, detail=True, threshold=0.0)
    by_pair = {(r["id_l"], r["id_r"]): r for r in pairs.iter_rows(named=True)}
    assert by_pair[("1", "2")]["given_name+surname__level"] == "姓名顺序不同"
    assert by_pair[("1", "2")]["match_probability"] > by_pair[("1", "3")]["match_probability"]
    assert by_pair[("1", "2")]["match_probability"] > by_pair[("1", "4")]["match_probability"]


def test_a_name_in_traditional_characters_is_the_same_name():
    out = _name(["馮思俊", "冯思俊", "張偉", "张伟", "陳麗華", "陈丽华", "於小明"])
    n = out["c0_n"].to_list()
    assert n[0] == n[1] == "冯思俊" and n[2] == n[3] == "张伟" and n[4] == n[5] == "陈丽华"
    assert n[6] == "於小明"  # a character that is also simplified (the surname 於) is kept
    left = {"rid": ["a", "b"], "name": ["馮思俊", "劉德華"], "birth_date": ["1980-01-02"] * 2}
    right = {"rid": ["x", "y"], "name": ["冯思俊", "刘德华"], "birth_date": ["1980-01-02"] * 2}
    levels = _levels(left, right, ["name:name", "birth_date:date"])
    assert levels[("a", "x")]["name__level"] == "姓名相同"
    assert levels[("b", "y")]["name__level"] == "姓名相同"


def test_names_in_letters_swapped_and_mistyped_or_sharing_a_word():
    people = pl.DataFrame(
        {
            "rid": ["1", "2", "3", "4", "5", "6", "7", "8"],
            "given_name": ["joshua", "campblel", "liam", "abby", "mary", "kate", "nathan", "morrison"],
            "surname": ["campbell", "joshua", "toseland", "toseland", "smith", "brown", "morrison", "nathan"],
            "dob": ["19800102", "19800102", "19100830", "19100830", "19700101", "19600101", "19470203", None],
        }
    )
    compares = ["given_name+surname:name", "dob:date"]
    pairs = dedupe(people, id_col="rid", compares=compares, progress=False, detail=True, threshold=0.0)
    by_pair = {(r["id_l"], r["id_r"]): r["given_name+surname__level"] for r in pairs.iter_rows(named=True)}
    # swapped between the columns and mistyped; swapped, the birth date missing: compared
    assert by_pair[("1", "2")] == "一词相同且拼写相近"
    assert by_pair[("7", "8")] == "姓名顺序不同"
    assert by_pair[("3", "4")] == "一词相同"
    assert ("5", "6") not in by_pair or by_pair[("5", "6")] == "不同"
    out = _name(["刘思俊", "Sijun Liu", "maier"])
    assert out["c0_w"].to_list() == [None, ["liu", "sijun"], ["maier"]]
    assert out["c0_lt"].to_list() == [None, "liu sijun", None]  # nothing new for a name in characters
