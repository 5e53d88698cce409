"""Questions answered by a number in running text, asked in other words than the report's: a
colloquial one-character verb (建, 开, 编) for the report's compound (建设, 开设, 编制). The report
is made up for these tests (its own schools and numbers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.extractive import prose_weights
from rag.rank.lexical import coverage
from rag.retriever import Lexicon
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区中职学校重点专业累计建设精品课程 47 门，涵盖课程标准、教学设计等资源。
据 2023 年 12 月统计，海淀区四所中等职业学校共开设专业（含专业方向）38 个。
二、质量保障
区教委组织全区中职学校完成了 23 份质量报告的编制，并开展合规性审核。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("prose"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("海淀区那四所中职一共开了多少个专业（含方向）？", (38, "个")),
        ("2023年海淀区教委组织全区中职学校编了多少份质量报告？", (23, "份")),
    ],
)
def test_a_colloquial_verb_meets_the_reports_compound(
    haidian: Services, question: str, expected: tuple[int, str]
) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == expected


def test_an_unwritten_verb_bigram_is_weighed_as_the_verb() -> None:
    lexicon = Lexicon.from_texts(["重点专业累计建设精品课程 47 门", "开设专业 38 个"])
    weights = prose_weights(lexicon, "重点专业建精品课程")
    assert "建" in weights and "建精" not in weights
    assert coverage(weights, "重点专业累计建设精品课程") == 1.0


def test_a_bigram_the_reports_write_is_kept() -> None:
    lexicon = Lexicon.from_texts(["副高级职称教师 30 人"])
    assert "副高" in prose_weights(lexicon, "副高级职称教师")


def test_a_one_character_word_that_is_no_verb_keeps_its_bigram() -> None:
    lexicon = Lexicon.from_texts(["纸质图书 5000 册"])
    assert "还" not in prose_weights(lexicon, "纸质图书还剩")
