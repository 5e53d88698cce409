"""Embedders: text → vectors for dense search.

Two providers: an OpenAI-compatible embeddings endpoint (``settings.remote_embeddings``) and an
offline default that needs no model weights: LSA (sublinear TF-IDF over character uni- and
bigrams → truncated SVD). The LSA basis is fitted once on the lines of the bundled reports (the
corpus `nianbao ingest` indexes by default) and cached under ``home/models``; it is deterministic, so every
process (ingest, ask, the API server) embeds queries and later uploads in the same basis. Its name
carries a hash of the basis, and the index keeps one vector collection per embedder name.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from rag.errors import ConfigError, IndexError_
from rag.settings import BUNDLED_REPORTS, Settings

LSA_DIMS = 256
PASSAGE_CHARS = 1
"""Fit units: single source lines (closest to table rows and short chunks; measured best)."""
SVD_ITERATIONS = 3
"""Randomized SVD power iterations: 3 fits in ~60% of the time of 7 with the same fused recall."""
_LSA_VERSION = "lsa4"
_UNIT = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|[\u3400-\u9fff]")
_FITTED: dict[str, LSAEmbedder] = {}
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_SEPARATOR = re.compile(r"[^0-9a-z.\u3400-\u9fff]+")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; the same text always gives the same vector for one ``name``."""

    name: str
    """Stable identifier of the model and its basis; vectors of different names never mix."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """The vector for a search query."""
        ...


def build_embedder(settings: Settings) -> Embedder:
    """The configured remote embedder, or the offline LSA embedder (fitted on first use)."""
    if settings.remote_embeddings:
        return OpenAIEmbedder(
            base_url=settings.embed_base_url,
            api_key=settings.embed_api_key or "unused",
            model=settings.embed_model,
        )
    return LSAEmbedder.cached(settings.home / "models", corpus_dir=BUNDLED_REPORTS)


class OpenAIEmbedder:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, Ollama, TEI, llama.cpp …)."""

    def __init__(
        self, *, base_url: str, api_key: str, model: str, timeout_s: float = 30.0,
        max_retries: int = 1, batch_size: int = 64,
    ) -> None:
        import openai

        self.name = "openai-" + re.sub(r"[^A-Za-z0-9_.-]", "_", model)
        self._model = model
        self._batch_size = batch_size
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for ``texts``, sent as strings (never token ids) in batches."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(self._embed(texts[start : start + self._batch_size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector for one query."""
        return self._embed([text])[0]

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def _embed(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            response = self._client.embeddings.create(model=self._model, input=texts)
        except openai.OpenAIError as exc:
            raise IndexError_(f"向量化服务出错：{type(exc).__name__}") from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise IndexError_(f"向量化服务为 {len(texts)} 段文字返回了 {len(data)} 个向量")
        return [_as_floats(item.embedding) for item in data]


def _as_floats(embedding: object) -> list[float]:
    """A vector from the client's answer: a float list, or base64 little-endian float32."""
    if isinstance(embedding, str):
        import base64

        return np.frombuffer(base64.b64decode(embedding), dtype="<f4").astype(float).tolist()
    if isinstance(embedding, list):
        return [float(x) for x in embedding]
    raise IndexError_("向量化服务返回了无法读取的向量")


class LSAEmbedder:
    """Latent semantic analysis over character n-grams: offline, deterministic, no weights to fetch."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, components: np.ndarray) -> None:
        self._index = {term: i for i, term in enumerate(vocabulary)}
        self._vocabulary = list(vocabulary)
        self._idf = idf.astype(np.float32)
        # stored as float16 (half the file, faster to load); rounded here too, so a fitted and a
        # loaded basis embed identically and share one name
        self._components = components.astype(np.float16).astype(np.float32)
        digest = hashlib.sha256(self._components.tobytes()).hexdigest()[:10]
        self.name = f"{_LSA_VERSION}-{self._components.shape[0]}-{digest}"

    @classmethod
    def fit(cls, texts: Sequence[str], *, dims: int = LSA_DIMS) -> LSAEmbedder:
        """A basis fitted on ``texts`` (deterministic for the same texts)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2, dtype=np.float32)
        matrix = vectorizer.fit_transform(texts)
        dims = min(dims, matrix.shape[0] - 1, matrix.shape[1] - 1)
        if dims < 2:
            raise ConfigError("文字太少，无法训练离线向量化模型")
        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=SVD_ITERATIONS,
                           random_state=0)
        svd.fit(matrix)
        vocabulary = [""] * len(vectorizer.vocabulary_)
        for term, i in vectorizer.vocabulary_.items():
            vocabulary[i] = term
        return cls(vocabulary, vectorizer.idf_, svd.components_)

    @classmethod
    def cached(cls, folder: Path, *, corpus_dir: Path) -> LSAEmbedder:
        """The basis for ``corpus_dir``'s reports, loaded from ``folder`` or fitted and saved there."""
        files = sorted(p for p in corpus_dir.glob("*") if p.suffix in {".txt", ".md"})
        if not files:
            raise ConfigError(f"{corpus_dir} 中没有可用于训练离线向量化模型的报告")
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
        recipe = [_LSA_VERSION, str(LSA_DIMS), str(PASSAGE_CHARS), str(SVD_ITERATIONS), *texts]
        key = hashlib.sha256("\0".join(recipe).encode()).hexdigest()[:16]
        path = folder / f"lsa-{key}.npz"
        if path.exists():
            try:
                return cls.load(path)
            except (OSError, ValueError, KeyError):
                path.unlink(missing_ok=True)
        # one fit per process even across homes (tests, a server re-pointed at a new home)
        model = _FITTED.get(key) or cls.fit(list(passages(texts, size=PASSAGE_CHARS)))
        _FITTED[key] = model
        model.save(path)
        return model

    def save(self, path: Path) -> None:
        """Write the basis to ``path`` atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{id(self)}.tmp.npz")
        np.savez(tmp, vocabulary=np.array(self._vocabulary), idf=self._idf,
                 components=self._components.astype(np.float16))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LSAEmbedder:
        """The basis saved at ``path``."""
        with np.load(path, allow_pickle=False) as data:
            return cls(data["vocabulary"].tolist(), data["idf"], data["components"])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Unit-length LSA vectors, one per text."""
        return [self._embed(text).tolist() for text in texts]

    def embed_query(self, text: str) -> list[float]:
        """The unit-length LSA vector of ``text``."""
        return self._embed(text).tolist()

    def _embed(self, text: str) -> np.ndarray:
        counts = Counter(t for t in char_ngrams(text) if t in self._index)
        if not counts:
            return np.zeros(self._components.shape[0], dtype=np.float32)
        ids = np.fromiter((self._index[t] for t in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        weights = tf * self._idf[ids]
        weights /= np.linalg.norm(weights)
        vector = self._components[:, ids] @ weights
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


def char_ngrams(text: str) -> list[str]:
    """Character units (a CJK character, a number, a latin word) and bigrams within phrases."""
    grams: list[str] = []
    normal = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).lower())
    for phrase in _SEPARATOR.split(normal):
        units = _UNIT.findall(phrase)
        grams.extend(units)
        grams.extend(a + b for a, b in itertools.pairwise(units))
    return grams


def passages(texts: Iterable[str], *, size: int = 300) -> Iterable[str]:
    """Runs of consecutive non-empty lines of about ``size`` characters: the units LSA is fitted on."""
    for text in texts:
        buffer: list[str] = []
        length = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            buffer.append(line)
            length += len(line)
            if length >= size:
                yield "\n".join(buffer)
                buffer, length = [], 0
        if buffer:
            yield "\n".join(buffer)
