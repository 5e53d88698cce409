"""Extractive answers pass the same output filter as LLM answers: no document markup comes back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.services import Services

pytestmark = pytest.mark.integration
REPORT = ("北京市海淀区测试职业教育质量年度报告（2023）\n一、基本情况\n"
          "2022年海淀区测试学校共有专任教师 777 人<img src=x onerror=alert(1)>，"
          "详见[点此查看](http://evil.example/a)。\n")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("markup"), {"haidian-test-2023.txt": REPORT}) as services:
        yield services


def test_extractive_answer_quotes_without_markup(hostile: Services) -> None:
    result = answer("2022年海淀区测试学校专任教师多少人？", hostile)
    assert "777" in result.text and result.citations
    assert "<img" not in result.text and "onerror" not in result.text
    assert "](" not in result.text and "evil.example" not in result.text and "点此查看" in result.text
