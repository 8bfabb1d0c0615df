import polars as pl

from jiuzhu.linkage import clusters


def test_connected_components_with_singletons():
    pairs = pl.DataFrame(
        {"id_l": ["a", "b", "d"], "id_r": ["b", "c", "e"], "match_probability": [0.9, 0.8, 0.4]}
    )
    out = clusters(pairs, ["a", "b", "c", "d", "e", "f"])
    assert out.rows() == [("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2), ("f", 3)]
    out = clusters(pairs, ["a", "b", "c", "d", "e", "f"], threshold=0.5)
    assert dict(out.rows())["e"] != dict(out.rows())["d"]


def test_link_clusters_keep_sides_apart():
    pairs = pl.DataFrame({"id_l": [1, 2], "id_r": [1, 1]})
    out = clusters(pairs, [1, 2, 3], [1, 2])
    got = {(s, i): c for s, i, c in out.rows()}
    assert got[("left", "1")] == got[("left", "2")] == got[("right", "1")]
    assert got[("right", "2")] != got[("left", "1")] and got[("left", "3")] != got[("right", "2")]
