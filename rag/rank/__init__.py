"""Ranking stated numbers against a question: features, the learned model, value-level decisions."""

from rag.rank.decide import Decision, Scored, amount, decide, score_frames
from rag.rank.model import Ranker

__all__ = ["Decision", "Ranker", "Scored", "amount", "decide", "score_frames"]
