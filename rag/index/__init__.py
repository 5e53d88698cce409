"""The index: reports stored for exact lookup (SQLite), keyword search (BM25) and dense search
(Chroma), written by one process at a time and switched atomically between generations."""

from rag.index.index import Index, UpsertResult, open_index

__all__ = ["Index", "UpsertResult", "open_index"]
