import polars as pl
import pytest

from jiuzhu.linkage import Compare, LinkageError, load_preset, read_table


def test_gb18030_csv_is_read_and_ids_stay_text(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("编号,姓名,身份证号\n007,张伟,32990119840129486X\n".encode("gb18030"))
    df = read_table(path)
    assert df.row(0) == ("007", "张伟", "32990119840129486X")


def test_compare_forms_and_presets(tmp_path):
    assert Compare.parse("地址:详细:address") == Compare("地址:详细", "address")
    person = load_preset("person")
    assert {c["kind"] for c in person["compares"]} >= {"name", "id", "date"}
    with pytest.raises(LinkageError, match="unknown preset"):
        load_preset("nobody")
    pl.DataFrame({"a": [1]}).write_json(tmp_path / "x.json")
    with pytest.raises(LinkageError, match="neither .csv nor .parquet"):
        read_table(tmp_path / "x.json")
