"""The words that say a number went up or down: one vocabulary for reading reports and questions."""

from __future__ import annotations

RISE = ("增加", "增长", "提高", "提升", "上升", "扩大", "上涨", "涨")
FALL = ("减少", "下降", "降低", "缩减", "下滑", "回落", "下跌")
SHIFT = ("变化", "变动", "增减")
"""A change named without its direction."""
SPOKEN_FALL = ("掉了", "跌了", "缩水")
"""How a question may say a fall (「招生掉了百分之几」); 掉 alone is no fall in a report (不掉线)."""


def either(*groups: tuple[str, ...]) -> str:
    """A regex alternation of the words of ``groups``, longest first."""
    return "|".join(sorted({word for group in groups for word in group}, key=len, reverse=True))
