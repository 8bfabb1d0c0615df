"""The command line: ``python -m jiuzhu.linkage`` (in process), ``jiuzhu dedupe`` through
Django's call_command, and exit code 2 with a message for bad arguments."""

import os
import subprocess
import sys

import polars as pl
import pytest
from django.core.management import call_command

from jiuzhu.linkage import cli, synth

TRUTH = ["person_id", "household", "damage", "id_damaged"]


@pytest.fixture(scope="module")
def zh_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("zh") / "persons.csv"
    synth.persons(1000, seed=21).drop(TRUTH).write_csv(path)
    return path


@pytest.fixture(scope="module")
def en_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("en") / "people.csv"
    synth.persons(1000, seed=22, locale="en").drop([*TRUTH, "id_number", "gender"]).write_csv(path)
    return path


def _check_pairs(path, ids, threshold=0.5):
    pairs = pl.read_csv(path)
    assert pairs.columns == ["id_l", "id_r", "match_probability"]
    assert pairs.height > 50
    assert pairs["match_probability"].min() >= threshold
    assert set(pairs["id_l"]) | set(pairs["id_r"]) <= set(ids)
    return pairs


def test_dedupe_chinese_csv_with_clusters(zh_csv, tmp_path):
    out, groups = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    args = ["dedupe", str(zh_csv), "--id", "rec_id", "--out", str(out), "--clusters", str(groups), "--quiet"]
    for spec in ("name:name", "id_number:id", "birth_date:date", "phone:phone", "address:address"):
        args += ["--compare", spec]
    assert cli.main(args) == 0
    ids = pl.read_csv(zh_csv)["rec_id"]
    pairs = _check_pairs(out, ids)
    clusters = pl.read_csv(groups)
    assert clusters.columns == ["id", "cluster_id"] and clusters.height == ids.len()
    assert clusters["cluster_id"].n_unique() < ids.len()
    a, b = pairs.row(0)[:2]
    by_id = dict(clusters.rows())
    assert by_id[a] == by_id[b]


def test_dedupe_english_csv_through_django(en_csv, tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    call_command(
        "dedupe",
        str(en_csv),
        "--id",
        "rec_id",
        "--compare",
        "name:name",
        "--compare",
        "birth_date:date",
        "--compare",
        "address:address",
        "--compare",
        "phone:phone",
        "--compare",
        "postcode:postcode",
        "--out",
        str(out),
        "--threshold",
        "0.6",
    )
    _check_pairs(out, pl.read_csv(en_csv)["rec_id"], threshold=0.6)
    assert "pairs written to" in capsys.readouterr().err


def test_link_parquet_files(tmp_path):
    left, right = synth.link_pair(800, seed=23)
    left.drop(TRUTH).write_parquet(tmp_path / "register.parquet")
    right.drop(TRUTH).rename({"rec_id": "rid"}).write_parquet(tmp_path / "source.parquet")
    out = tmp_path / "pairs.parquet"
    code = cli.main(
        [
            "link",
            str(tmp_path / "register.parquet"),
            str(tmp_path / "source.parquet"),
            "--id",
            "rec_id",
            "--right-id",
            "rid",
            "--preset",
            "person",
            "--out",
            str(out),
            "--clusters",
            str(tmp_path / "c.csv"),
            "--quiet",
        ]
    )
    assert code == 0
    pairs = pl.read_parquet(out)
    truth = synth.true_links(left, right)
    assert pairs.join(truth, on=["id_l", "id_r"]).height >= 0.95 * truth.height
    assert pl.read_csv(tmp_path / "c.csv").columns == ["source", "id", "cluster_id"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--compare", "name:nam"], "unknown kind 'nam' for column 'name'; kinds are: name, id, date"),
        (["--compare", "nme:name"], "column 'nme' not found; columns are: rec_id, name"),
        (["--compare", "name"], "expected COLUMN:KIND"),
        ([], "give --compare COL:KIND"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(en_csv, tmp_path, capsys, extra, message):
    code = cli.main(["dedupe", str(en_csv), "--id", "rec_id", "--out", str(tmp_path / "p.csv"), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()


def test_jiuzhu_command_exit_code(en_csv, tmp_path):
    env = {**os.environ, "JIUZHU_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from jiuzhu.config.cli import main; main()",
            "dedupe",
            str(en_csv),
            "--id",
            "rec_id",
            "--compare",
            "nme:name",
            "--out",
            str(tmp_path / "p.csv"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 2
    assert "column 'nme' not found" in run.stderr
