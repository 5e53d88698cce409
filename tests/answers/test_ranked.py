from __future__ import annotations

import dataclasses
import json

import pytest

from rag.answering import answer
from rag.services import Services
from training import train


@pytest.fixture(scope="module")
def ranked(services: Services) -> Services:
    """The same index, answered by the learned ranker."""
    return dataclasses.replace(services, settings=dataclasses.replace(services.settings, answerer="ranked"))


def test_training_rebuilds_the_same_artefact_from_its_command(services: Services) -> None:
    file = "changping-zhongzhi-2023.txt"
    benchmark = [("2022年昌平区中职学校招生多少人？", file, (1061.0, "人")),
                 ("2022年昌平区中职学校在校生多少人？", file, (1.0, "人"))]  # a gold no answer states
    first = train.build(services.retriever, benchmark, per_report=25, seed=5)
    second = train.build(services.retriever, benchmark, per_report=25, seed=5)
    assert json.dumps(first.to_json(), sort_keys=True) == json.dumps(second.to_json(), sort_keys=True)
    assert first.meta["generated"] == 125


def test_generated_questions_carry_the_value_of_the_frame_they_came_from(services: Services) -> None:
    generated = train.generated_questions(services.retriever, per_report=30, seed=1)
    assert len(generated) == 150
    assert all(g.question and g.answer for g in generated)
    assert len({g.file for g in generated}) == 5


@pytest.mark.parametrize(
    ("question", "value"),
    [("昌平区2022年中职在校生有多少人？", 3150), ("2021年朝阳区中职学校教职工总数是多少人？", 780)],
)
def test_the_ranked_answerer_states_a_cited_value(ranked: Services, question: str, value: float) -> None:
    result = answer(question, ranked)
    if result.refused:  # the threshold is conservative: abstaining is allowed, a number is not
        assert result.value is None and not result.citations
        return
    assert result.value == value and result.grounded
    assert any(f"{value:g}" in c.quote for c in result.citations)


def test_the_ranked_answerer_never_answers_another_years_number(ranked: Services) -> None:
    result = answer("2030年昌平区中职学校招生多少人？", ranked)
    assert result.refused and result.value is None
