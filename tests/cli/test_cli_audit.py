"""`nianbao audit` on report files and on the index: text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from ingestion.pipeline import ingest
from rag.index import open_index
from rag.settings import BUNDLED_REPORTS

CHAOYANG = BUNDLED_REPORTS / "chaoyang-zhongzhi-2022.txt"


def test_audit_of_a_file_prints_each_finding_with_both_citations(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    assert main(["audit", str(CHAOYANG)]) == 0
    out = capsys.readouterr().out
    assert "2 处不一致" in out
    assert "chaoyang-zhongzhi-2022.txt:103 1653人" in out and "chaoyang-zhongzhi-2022.txt:32（表1）" in out


def test_audit_json_and_markdown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    assert main(["audit", str(CHAOYANG), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["findings"] == 2
    sides = [(f["first"]["line"], f["second"]["line"]) for f in payload["reports"][0]["findings"]]
    assert sides == [(73, 69), (103, 32)]
    assert main(["audit", str(CHAOYANG), "--markdown"]) == 0
    assert "| 2 | 正文与表格不一致 | 中职·毕业生（2020、2021 年合计） | 290 |" in capsys.readouterr().out


def test_audit_by_indexed_name_cites_the_file_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    from rag.settings import Settings

    index = open_index(Settings.from_env())
    try:
        assert ingest([CHAOYANG], index).ok
    finally:
        index.close()
    assert main(["audit", "chaoyang-zhongzhi-2022.txt", "--json"]) == 0
    lines = [f["first"]["line"] for f in json.loads(capsys.readouterr().out)["reports"][0]["findings"]]
    assert lines == [73, 103]
    assert main(["audit", "no-such-report"]) == 1
    assert "未找到报告" in capsys.readouterr().err
