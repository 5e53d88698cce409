from __future__ import annotations

import dataclasses

import pytest

from rag import combined, extractive, lookup
from rag.answering import answer, understand
from rag.rank import model as ranker_model
from rag.rank.model import COMBINED_NAMES, Vetting
from rag.services import Services
from rag.types import Answer

ALWAYS_SURE = Vetting(tuple(0.0 for _ in COMBINED_NAMES), 40.0, 0.5)


@pytest.fixture(scope="module")
def both(services: Services) -> Services:
    """The same index, answered by the combined answerer."""
    return dataclasses.replace(services, settings=dataclasses.replace(services.settings, answerer="combined"))


@pytest.mark.parametrize(
    ("question", "value"),
    [("2022年昌平区中职在校生有多少人？", 3150), ("2021年朝阳区中职专任教师有多少人", 637),
     ("2022年东城区中职招生多少人", 259)],
)
def test_the_combined_answerer_states_a_cited_value_or_refuses(
    both: Services, question: str, value: float
) -> None:
    result = answer(question, both)
    if result.refused:  # its threshold is conservative: abstaining is allowed, another number is not
        assert result.value is None and not result.citations
        return
    assert result.value == value and result.grounded and result.confidence is not None
    assert any(f"{value:g}" in c.quote for c in result.citations)


def test_the_combined_answerer_never_answers_another_years_number(both: Services) -> None:
    # The report's table states 2022–2024 only (259 for 2022).
    result = answer("2021年东城区中职招生多少人", both)
    assert result.refused and result.value is None


@pytest.mark.parametrize(
    "question",
    ["昌平区中职学校2022年招生人数是多少", "东城区2024年中职学校毕业生多少人", "2021年东城区中职招生多少人"],
)
def test_the_rules_choice_recomputed_from_their_readings_is_the_rules_answerers_own(
    services: Services, question: str
) -> None:
    retriever = services.retriever
    query = understand(question, services)
    retrieval, lexicon = retriever.retrieve(query), retriever.lexicon()
    found = lookup.find(query, retrieval, lexicon, margin=lookup.MARGIN)
    expected = None if found is None else combined.evidence_amount(found)
    assert combined.rules_choice(combined.readings(query, retrieval, lexicon)) == expected


def _computed(services: Services, question: str, ranker: ranker_model.Ranker) -> tuple[Answer, Answer]:
    retriever = services.retriever
    query = understand(question, services)
    assert query.operation != "lookup" and query.parts
    rules = extractive.answer(query, retriever.retrieve, retriever.lexicon())
    mine = combined.answer(query, retriever.retrieve, retriever.lexicon(), ranker=ranker)
    return rules, mine


def test_a_computation_stands_when_the_ranker_reads_its_operands_alike(services: Services) -> None:
    ranker = dataclasses.replace(ranker_model.default(), vetting=ALWAYS_SURE)
    rules, mine = _computed(services, "昌平区2022年中职招生和毕业生一共多少人？", ranker)
    assert not rules.refused and rules.computation
    assert mine == rules


def test_a_computation_whose_operand_the_ranker_surely_reads_otherwise_is_refused(services: Services) -> None:
    shipped = ranker_model.default()
    # A ranker that ranks the worst-fitting frame first reads every operand as another value.
    contrary = dataclasses.replace(shipped, coef=tuple(-c for c in shipped.coef), vetting=ALWAYS_SURE)
    rules, mine = _computed(services, "昌平区2022年中职招生和毕业生一共多少人？", contrary)
    assert not rules.refused
    assert mine.refused and mine.value is None


@pytest.mark.integration
@pytest.mark.parametrize("answerer", ["ranked", "combined"])
def test_no_answerer_gives_one_row_for_a_total_of_rows_alike(services: Services, answerer: str) -> None:
    chosen = dataclasses.replace(services, settings=dataclasses.replace(services.settings, answerer=answerer))
    result = answer("北京工业职业技术学院2025年贯通培养那几个专业加起来一共计划招多少人？", chosen)
    assert result.value != 45  # each of its six majors plans 45; the total is 270
