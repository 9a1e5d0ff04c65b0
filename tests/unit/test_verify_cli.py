"""`payverify verify` as CASE_FORMAT.md says: JSON, JSON Lines with source, refusals, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from plugin.cli import main
from tests.unit.builders import case


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "b_claim.json").write_text(case().model_dump_json())
    (folder / "a_other.json").write_text(
        case(subject="Cancel", description="Please cancel my subscription.").model_dump_json()
    )
    (folder / "notes.txt").write_text("not a case")
    return folder


def test_single_file_json(cases_dir, capsys):
    assert main(["verify", str(cases_dir / "b_claim.json"), "--json"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["ticket_id"] == 1 and decision["verdict"] == "not_found"
    assert decision["credit"] == {"amount": "120.00", "currency": "USD", "requires_approval": False}
    assert decision["reply"]["subject"] and "INV-1001" in decision["reply"]["html"]


def test_directory_json_lines_sorted_with_source(cases_dir, capsys):
    assert main(["verify", str(cases_dir), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["source"] for line in lines] == ["a_other.json", "b_claim.json"]
    assert (
        lines[0]["intent"] == "other" and lines[0]["verdict"] is None and lines[0]["reply"] is None
    )


def test_a_refused_file_is_reported_and_the_rest_still_decided(cases_dir, capsys):
    (cases_dir / "c_broken.json").write_text('{"ticket": {"id": 1}}')
    assert main(["verify", str(cases_dir), "--json"]) == 2
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["source"] for line in lines] == ["a_other.json", "b_claim.json", "c_broken.json"]
    assert lines[2] == {
        "source": "c_broken.json",
        "error": "c_broken.json: ticket.subject: missing",
    }
    assert "c_broken.json: ticket.subject: missing" in captured.err


def test_single_refused_file_exits_2_with_one_line_on_stderr(tmp_path, capsys):
    broken = tmp_path / "case.json"
    data = json.loads(case().model_dump_json())
    data["ticket"]["created_at"] = "soon"
    broken.write_text(json.dumps(data))
    assert main(["verify", str(broken), "--json"]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and captured.err.strip() == "case.json: ticket.created_at: not a timestamp"
    )


def test_human_summary(cases_dir, capsys):
    assert main(["verify", str(cases_dir)]) == 0
    out = capsys.readouterr().out
    assert "b_claim.json: ticket 1 [en, STANDARD] not_found / RECENT_PAYMENT" in out
    assert "a_other.json: ticket 1 [en, STANDARD] not a payment claim" in out
    assert "2 decided, 0 refused" in out


def test_policy_file(cases_dir, tmp_path, capsys):
    policy = tmp_path / "policy.toml"
    policy.write_text('[credit.caps]\nstandard = "100"\n')
    assert main(["verify", str(cases_dir / "b_claim.json"), "--json", "--policy", str(policy)]) == 0
    assert json.loads(capsys.readouterr().out)["credit"]["requires_approval"] is True
    policy.write_text("[credit]\nbogus = 1\n")
    assert main(["verify", str(cases_dir), "--policy", str(policy)]) == 2
    assert "credit.bogus" in capsys.readouterr().err


def test_missing_path(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nope.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_samples_decide_through_the_cli(samples_dir, tmp_path, capsys):
    shutil.copytree(samples_dir / "cases", tmp_path / "cases")
    assert main(["verify", str(tmp_path / "cases"), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(list((samples_dir / "cases").glob("*.json")))
    for line in lines:
        expected = json.loads((samples_dir / "expected" / line["source"]).read_text())
        assert {k: line[k] for k in expected} == expected, line["source"]
