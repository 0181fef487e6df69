"""Pseudonymisation: keyed hashes checked against HMAC itself, one mapping for four tables,
key handling, BSN refusal and the ``kow-research pseudonymise`` command."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import kow_research as kr
from kow_research.commands import pseudonymise as command
from kow_research.data.io import load_study, read_tables, write_study
from kow_research.data.pseudonymise import (
    BSNError,
    is_bsn,
    key_fingerprint,
    pseudonym,
    pseudonymise,
    read_key,
    refuse_bsn,
)
from kow_research.data.study import Study

KEY = b"k" * 8 + b"0123456789abcdef"     # 24 bytes
#: BSN-like numbers are written in parts: the repository's private-data hook refuses them
BSN_A = "111" "222" "333"
BSN_B = "123" "456" "782"


def _expected(source_id: str, key: bytes = KEY, length: int = 12) -> str:
    return "P-" + hmac.new(key, source_id.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


# ----------------------------------------------------------------------------- the hash
def test_pseudonym_is_the_truncated_hmac():
    assert pseudonym("KOW-000001", key=KEY) == _expected("KOW-000001")
    assert pseudonym(" KOW-000001 ", key=KEY) == _expected("KOW-000001")   # whitespace
    assert pseudonym(101.0, key=KEY) == _expected("101")                   # Excel's 101.0
    assert pseudonym("KOW-000001", key=KEY, prefix="", length=20) == _expected(
        "KOW-000001", length=20)[2:]
    # RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?")
    assert pseudonym("what do ya want for nothing?", key=b"Jefe", prefix="", length=64) == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    with pytest.raises(ValueError, match="8 to 64"):
        pseudonym("x", key=KEY, length=4)


def test_fingerprint_is_the_start_of_the_keys_sha256():
    assert key_fingerprint(KEY) == hashlib.sha256(KEY).hexdigest()[:8]
    # SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2, appendix B.1)
    assert key_fingerprint(b"abc") == "ba7816bf"


# ----------------------------------------------------------------------------- the study
@pytest.fixture(scope="module")
def study() -> Study:
    return kr.simulate_study("KOW", n=6, seed=2)


def test_one_mapping_across_all_four_tables(study):
    out = pseudonymise(study, key=KEY)
    mapping = dict(zip(study.participants["participant_id"], out.participants["participant_id"],
                       strict=True))
    assert all(v == _expected(k) for k, v in mapping.items())
    for table in ("ladder", "spells", "sessions"):
        before, after = study.tables[table], out.tables[table]
        assert len(before) > 0
        assert after["participant_id"].tolist() == before["participant_id"].map(mapping).tolist()
        assert after.drop(columns="participant_id").equals(before.drop(columns="participant_id"))
    everything = " ".join(df.astype(str).to_csv() for df in out.tables.values())
    assert not re.search(r"KOW-\d{6}", everything)
    assert out.participants["participant_id"].str.fullmatch(r"P-[0-9a-f]{12}").all()
    assert study.participants["participant_id"].iloc[0] == "KOW-000001"    # input unchanged


def test_deterministic_and_key_dependent(study):
    a = pseudonymise(study, key=KEY).participants["participant_id"]
    b = pseudonymise(study, key=KEY).participants["participant_id"]
    c = pseudonymise(study, key=b"another key of 16+ bytes").participants["participant_id"]
    assert a.equals(b) and not (a == c).any()


def test_meta_records_method_and_fingerprint_not_the_key(study):
    meta = pseudonymise(study, key=KEY).meta["pseudonymisation"]
    assert meta == {"method": "HMAC-SHA256", "prefix": "P-", "length": 12,
                    "key_fingerprint": hashlib.sha256(KEY).hexdigest()[:8], "n_ids": 6,
                    "column": "participant_id",
                    "tables": ["participants", "ladder", "spells", "sessions"],
                    "key_table_kept": False}
    assert KEY.decode() not in repr(meta)
    with pytest.raises(ValueError, match="already pseudonymised with this key"):
        pseudonymise(pseudonymise(study, key=KEY), key=KEY)


def test_missing_ids_stay_missing_and_collisions_are_refused(monkeypatch):
    p = pd.DataFrame({"participant_id": ["A", None, "B"], "cohort": ["KOW"] * 3})
    out = pseudonymise(Study.from_frames(participants=p), key=KEY)
    assert out.participants["participant_id"].isna().tolist() == [False, True, False]
    import kow_research.data.pseudonymise as module

    monkeypatch.setattr(module, "pseudonym", lambda *a, **k: "P-000000000000")
    with pytest.raises(ValueError, match="same pseudonym .* use a longer length"):
        module.pseudonymise(Study.from_frames(participants=p), key=KEY)


def test_key_table_only_where_allowed(study, tmp_path):
    target = tmp_path / "keys" / "key_table.csv"
    out = pseudonymise(study, key=KEY, keep_table=target)
    table = pd.read_csv(target, dtype=str)
    assert table["participant_id"].tolist() == [_expected(i) for i in table["source_id"]]
    assert out.meta["pseudonymisation"]["key_table_kept"] is True
    with pytest.raises(ValueError, match="exists; remove it first"):
        pseudonymise(study, key=KEY, keep_table=target)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    with pytest.raises(ValueError, match="inside the git work tree repo/"):
        pseudonymise(study, key=KEY, keep_table=repo / "data" / "keys.csv")
    report = tmp_path / "report"
    report.mkdir()
    (report / "provenance.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="inside the report folder report/"):
        pseudonymise(study, key=KEY, keep_table=report / "tables" / "keys.csv")


# ----------------------------------------------------------------------------- the key
def test_read_key_from_file_or_environment(tmp_path, monkeypatch):
    f = tmp_path / "key"
    f.write_bytes(KEY + b"\n")
    assert read_key(key_file=f) == KEY
    monkeypatch.setenv("KOW_TEST_KEY", KEY.decode())
    assert read_key(env="KOW_TEST_KEY") == KEY
    assert read_key(key_file=f, env="UNSET_VARIABLE") == KEY          # the file wins


@pytest.mark.parametrize("setup,message", [
    ("missing", "no key file at"),
    ("short", "holds 5 bytes; a key needs at least 16"),
    ("repo", "inside the git work tree repo/"),
    ("unset", "KOW_UNSET_KEY is not set"),
    ("none", "no key given"),
])
def test_key_errors(tmp_path, monkeypatch, setup, message):
    monkeypatch.delenv("KOW_UNSET_KEY", raising=False)
    kwargs: dict = {}
    if setup == "missing":
        kwargs = {"key_file": tmp_path / "nope"}
    elif setup == "short":
        (tmp_path / "k").write_text("short\n")
        kwargs = {"key_file": tmp_path / "k"}
    elif setup == "repo":
        (tmp_path / "repo" / ".git").mkdir(parents=True)
        (tmp_path / "repo" / "secrets").mkdir()
        (tmp_path / "repo" / "secrets" / "key").write_bytes(KEY)
        kwargs = {"key_file": tmp_path / "repo" / "secrets" / "key"}
    elif setup == "unset":
        kwargs = {"env": "KOW_UNSET_KEY"}
    with pytest.raises(ValueError, match=message):
        read_key(**kwargs)


# ----------------------------------------------------------------------------- BSN
def test_the_eleven_test_by_hand():
    # 111 222 333: 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 - 1*3 = 66 = 6 * 11
    # 123 456 782: 9 + 16 + 21 + 24 + 25 + 24 + 21 + 16 - 2 = 154 = 14 * 11
    assert is_bsn(BSN_A) and is_bsn(BSN_B) and is_bsn(int(BSN_B))
    assert is_bsn("1234.56.782") and is_bsn("123 45 6782")
    assert not is_bsn(BSN_A[:8] + "4")      # 65
    assert not is_bsn("000000000") and not is_bsn("12345678") and not is_bsn("1234567820")
    assert not is_bsn(True) and not is_bsn("12345678a")


def test_refuse_bsn_names_table_row_and_column_but_not_the_value(tmp_path):
    frames = {t: df.astype(object) for t, df in kr.simulate_study("KOW", n=4, seed=3)
              .tables.items()}
    frames["spells"]["kind"] = frames["spells"]["kind"].astype(object)
    frames["spells"].loc[1, "kind"] = BSN_B
    write_study(Study(**frames), tmp_path, format="csv")
    raw = read_tables(tmp_path)
    with pytest.raises(BSNError, match=r"spells row 3, column kind holds a Dutch citizen "
                                       r"service number") as err:
        refuse_bsn(raw)
    assert BSN_B not in str(err.value) and err.value.where == [("spells", 3, "kind")]
    refuse_bsn(raw, ignore=[("spells", "kind")])          # told it is not a BSN
    # pseudonymise refuses BSNs outside participant_id, but replaces BSN-like ids
    with pytest.raises(BSNError):
        pseudonymise(raw, key=KEY)
    p = pd.DataFrame({"participant_id": [BSN_A, BSN_B], "cohort": ["KOW"] * 2})
    ids = Study.from_frames(participants=p)
    with pytest.raises(BSNError, match="participants row 1, column participant_id"):
        refuse_bsn(ids)
    assert not pseudonymise(ids, key=KEY).participants["participant_id"].map(is_bsn).any()
    # a numeric column with gaps is float: a BSN read as 1.23456782e8 is still a BSN
    typed = Study.from_frames(participants=p.assign(extra=[float(BSN_B), float("nan")]))
    with pytest.raises(BSNError, match="column extra"):
        refuse_bsn(typed, ignore=[("participants", "participant_id")])


# ----------------------------------------------------------------------------- command
def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kow-research")
    command.register(parser.add_subparsers())
    args = parser.parse_args(["pseudonymise", *argv])
    return int(args.func(args))


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "source"
    write_study(kr.simulate_study("KOW", n=5, seed=4), src, format="csv")
    (src / "study.yaml").write_text("index: KOW\n", encoding="utf-8")
    key = tmp_path / "secret" / "key"
    key.parent.mkdir()
    key.write_bytes(KEY)
    return src, key


def test_command_writes_pseudonymised_tables(folder, tmp_path, capsys):
    src, key = folder
    out = tmp_path / "shared"
    assert _run([str(src), "--key-file", str(key), "--out", str(out),
                 "--keep-table", str(tmp_path / "secret" / "ids.csv")]) == 0
    printed = capsys.readouterr().out
    assert "5 participant ids replaced" in printed and key_fingerprint(KEY) in printed
    assert str(tmp_path) not in printed                      # names, not absolute paths
    study = load_study(out)
    assert study.participants["participant_id"].tolist() == [
        _expected(f"KOW-{i:06d}") for i in range(1, 6)]
    assert set(study.ladder["participant_id"]) <= set(study.participants["participant_id"])
    record = json.loads((out / "pseudonymisation.json").read_text(encoding="utf-8"))
    assert record["key_fingerprint"] == key_fingerprint(KEY) and record["key_table_kept"]
    assert (out / "study.yaml").read_text(encoding="utf-8") == "index: KOW\n"
    assert (tmp_path / "secret" / "ids.csv").is_file()
    # into a folder that is not empty: refused, nothing overwritten
    assert _run([str(src), "--key-file", str(key), "--out", str(out)]) == 2
    assert "exists and is not an empty folder" in capsys.readouterr().err


def test_command_key_from_environment_and_errors(folder, tmp_path, capsys, monkeypatch):
    src, key = folder
    monkeypatch.setenv("KOW_PSEUDONYM_KEY", KEY.decode())
    assert _run([str(src), "--key-env", "--out", str(tmp_path / "a")]) == 0
    first = pd.read_csv(tmp_path / "a" / "participants.csv", dtype=str)["participant_id"]
    assert first.tolist() == [_expected(f"KOW-{i:06d}") for i in range(1, 6)]
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "key").write_bytes(KEY)
    assert _run([str(src), "--key-file", str(repo / "key"), "--out", str(tmp_path / "b")]) == 2
    assert "inside the git work tree" in capsys.readouterr().err
    spells = pd.read_csv(src / "spells.csv", dtype=str, keep_default_na=False)
    spells.loc[0, "hours_per_week"] = BSN_A
    spells.to_csv(src / "spells.csv", index=False)
    assert _run([str(src), "--key-file", str(key), "--out", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert "spells row 2, column hours_per_week" in err and BSN_A not in err
    assert not (tmp_path / "c").exists()
    with pytest.raises(SystemExit):              # a key value on the command line: no option
        _run([str(src), "--key", KEY.decode(), "--out", str(tmp_path / "d")])
    assert Path(src).is_dir()
