"""English words a question may mix in (「北京 技工学校 graduates 2019 多少人」), read as the reports'
Chinese terms. Names the reports write in Latin letters (HND, TAFE, 1+X) are not in the list and stay."""

from __future__ import annotations

import re

TERMS = {
    # people
    "full-time teachers": "专任教师", "full-time teacher": "专任教师", "teachers": "教师", "teacher": "教师",
    "faculty": "教师", "staff": "教职工", "in-school students": "在校生", "enrolled students": "在校生",
    "new students": "招生", "students": "学生", "student": "学生", "graduates": "毕业生",
    "graduate": "毕业生",
    # schools and what they offer
    "secondary vocational": "中职", "higher vocational": "高职", "vocational": "职业", "schools": "学校",
    "school": "学校", "majors": "专业", "major": "专业", "programmes": "专业", "programs": "专业",
    "enrollment": "招生", "enrolment": "招生", "admissions": "招生", "intake": "招生",
    # outcomes
    "employment rate": "就业率", "employment": "就业", "further study": "升学", "satisfaction": "满意度",
    "starting salary": "起薪", "salary": "起薪", "training": "培训", "competitions": "比赛",
    "competition": "比赛", "awards": "奖项", "prizes": "奖项", "gold medals": "金牌",
    # money and resources
    "funding": "经费", "funds": "经费", "expenditure": "经费支出", "budget": "预算", "per student": "生均",
    "fixed assets": "固定资产", "assets": "资产", "equipment": "设备", "books": "图书",
    "floor area": "建筑面积", "building area": "建筑面积", "area": "面积", "overseas": "境外",
    "international": "国际",
    # quantities and comparisons
    "student-teacher ratio": "生师比", "growth rate": "增长率", "growth": "增长", "increase": "增加",
    "decrease": "减少", "proportion": "占比", "percentage": "占比", "share": "占比", "ratio": "比",
    "rate": "率", "average": "平均", "total": "合计", "how many": "多少", "number of": "", "versus": "和",
    "vs": "和",
}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LONGEST_FIRST = sorted(TERMS, key=len, reverse=True)
_TERM = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, _LONGEST_FIRST)) + r")(?![A-Za-z])", re.I)


def in_chinese(text: str) -> str:
    """``text`` with the English terms of ``TERMS`` written as the reports write them, when it is a
    Chinese question mixing them in (one all in English is asked to be put in Chinese)."""
    if not _HAN.search(text):
        return text
    return _TERM.sub(lambda m: TERMS[m.group(0).lower()], text)
