"""Embedders: the contract every embedder meets, LSA specifics, the OpenAI adapter over real HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from fake_openai import FakeOpenAI, hang, status

from rag.embedders import Embedder, LSAEmbedder, OpenAIEmbedder, build_embedder, char_ngrams
from rag.errors import IndexError_
from rag.settings import Settings

CORPUS = [
    "2022年昌平区中等职业学校招生人数1061人，比上一年减少139人。",
    "昌平区中等职业学校在校生3155人，毕业生589人。",
    "双师型教师占专任教师比例为65.2%，专任教师共312人。",
    "学校固定资产总值12.3亿元，教学仪器设备值3.4亿元。",
    "朝阳区中职学校招生2345人，在校生规模稳定。",
    "专任教师中具有研究生学历的教师比例提高。",
    "校企合作开发教材301部，共建实训基地45个。",
    "毕业生就业去向落实率为95.40%，对口就业率较高。",
]


@pytest.fixture(scope="module")
def lsa() -> LSAEmbedder:
    return LSAEmbedder.fit(CORPUS * 2, dims=6)


def _contract(embedder: Embedder) -> None:
    docs = embedder.embed_documents(["招生人数1061人", "固定资产总值", "招生人数1061人"])
    assert len(docs) == 3 and docs[0] == docs[2]
    assert len({len(v) for v in docs}) == 1
    assert embedder.embed_query("招生人数1061人") == pytest.approx(docs[0], abs=1e-6)
    assert all(abs(float(np.linalg.norm(v)) - 1.0) < 1e-4 for v in docs)
    assert isinstance(embedder.name, str) and embedder.name


def test_lsa_meets_the_embedder_contract(lsa: LSAEmbedder) -> None:
    _contract(lsa)


def test_openai_embedder_meets_the_embedder_contract(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(base_url=fake_openai.url, api_key="k", model="fake-embed")
    _contract(embedder)
    embedder.close()


def test_lsa_puts_related_passages_closer_than_unrelated_ones(lsa: LSAEmbedder) -> None:
    query = np.array(lsa.embed_query("昌平区中职招生多少人"))
    enrolment, assets = (np.array(v) for v in lsa.embed_documents([CORPUS[0], CORPUS[3]]))
    assert query @ enrolment > query @ assets


def test_lsa_basis_is_deterministic_and_survives_a_save(lsa: LSAEmbedder, tmp_path: Path) -> None:
    again = LSAEmbedder.fit(CORPUS * 2, dims=6)
    assert again.name == lsa.name
    lsa.save(tmp_path / "basis.npz")
    loaded = LSAEmbedder.load(tmp_path / "basis.npz")
    assert loaded.name == lsa.name
    assert loaded.embed_query(CORPUS[2]) == pytest.approx(lsa.embed_query(CORPUS[2]), abs=1e-6)


def test_lsa_cached_fits_once_then_loads(tmp_path: Path) -> None:
    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "a.txt").write_text("\n".join(CORPUS * 3), encoding="utf-8")
    first = LSAEmbedder.cached(tmp_path / "models", corpus_dir=corpus)
    saved = list((tmp_path / "models").glob("*.npz"))
    assert len(saved) == 1
    mtime = saved[0].stat().st_mtime_ns
    assert LSAEmbedder.cached(tmp_path / "models", corpus_dir=corpus).name == first.name
    assert saved[0].stat().st_mtime_ns == mtime


def test_text_without_known_ngrams_embeds_to_zero(lsa: LSAEmbedder) -> None:
    assert not any(lsa.embed_query("§§§"))


def test_char_ngrams_keep_numbers_whole_and_stop_at_punctuation() -> None:
    assert char_ngrams("招生1,061人。双师") == [
        "招", "生", "1061", "人", "招生", "生1061", "1061人", "双", "师", "双师"
    ]


def test_build_embedder_uses_the_remote_endpoint_when_configured(
    fake_openai: FakeOpenAI, settings: Settings
) -> None:
    embedder = build_embedder(fake_openai.embed_settings(settings))
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.embed_query("招生") == pytest.approx(fake_openai.embed("招生"), abs=1e-6)
    embedder.close()
    request = fake_openai.embedding_requests()[0]
    assert request.body["input"] == ["招生"]  # strings, never token ids
    assert request.body.get("encoding_format") in (None, "base64", "float")


def test_openai_embedder_batches_and_keeps_order(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(base_url=fake_openai.url, api_key="k", model="fake-embed", batch_size=3)
    texts = [f"第{i}段" for i in range(7)]
    vectors = embedder.embed_documents(texts)
    assert [list(v) for v in vectors] == [pytest.approx(fake_openai.embed(t), abs=1e-6) for t in texts]
    embedder.close()
    assert len(fake_openai.embedding_requests()) == 3


def test_openai_embedder_errors_become_index_errors(fake_openai: FakeOpenAI) -> None:
    fake_openai.script_embeddings(status(500), status(500))
    embedder = OpenAIEmbedder(base_url=fake_openai.url, api_key="k", model="fake-embed", max_retries=1)
    with pytest.raises(IndexError_, match="向量化服务出错"):
        embedder.embed_query("招生")
    embedder.close()
    assert len(fake_openai.embedding_requests()) == 2


def test_openai_embedder_gives_up_on_a_hung_server_within_its_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.script_embeddings(hang(10))
    embedder = OpenAIEmbedder(
        base_url=fake_openai.url, api_key="k", model="fake-embed", timeout_s=0.5, max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(IndexError_):
        embedder.embed_query("招生")
    assert time.monotonic() - started < 3.0
    embedder.close()
