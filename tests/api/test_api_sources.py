"""The 「来源」 list that ends ``/v1/chat/completions`` content."""

from __future__ import annotations

from dataclasses import replace

from apifakes import fake_answer
from markdown_it import MarkdownIt

from api.sources import chat_content, sources_markdown, strip_sources
from rag.types import Citation

CITE = Citation(1, "c1", "d1", "changping.txt", "昌平区报告", "一、招生", "表 1-1 学生规模", None, 58, "1061")


def test_one_line_per_citation_with_title_table_and_line() -> None:
    prose = replace(CITE, n=2, table="", page=3, line=70)
    assert sources_markdown([CITE, prose]) == (
        "\n\n来源：\n- [1] 昌平区报告，表 1-1 学生规模，第 58 行"
        "\n- [2] 昌平区报告，一、招生，第 3 页，第 70 行")
    html = MarkdownIt("commonmark").render("1061人[1][2]。" + sources_markdown([CITE, prose]))
    assert "<p>来源：</p>\n<ul>\n<li>[1] 昌平区报告，表 1-1 学生规模，第 58 行</li>\n<li>[2] " in html


def test_a_bare_table_number_is_named_a_table() -> None:
    assert sources_markdown([replace(CITE, table="1-1")]).endswith("- [1] 昌平区报告，表 1-1，第 58 行")


def test_no_citations_no_list() -> None:
    answer = replace(fake_answer("q"), citations=())
    assert chat_content(answer) == answer.text
    assert sources_markdown([]) == ""


def test_unmarked_citations_get_markers_before_the_list() -> None:
    content = chat_content(fake_answer("q"))
    assert content.startswith("2022年昌平区中职学校招生1061人。[1]\n\n来源：\n- [1] ")


def test_markup_in_a_title_stays_literal_text_on_one_line() -> None:
    hostile = replace(CITE, title="<img src=x onerror=alert(1)>\n# [点此](http://evil.example) *x*", table="")
    markdown = sources_markdown([hostile])
    html = MarkdownIt("commonmark").render(markdown)
    assert len(markdown.splitlines()) == 4
    assert "<img" not in html and "<a " not in html and "<h1" not in html and "<em>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; # [点此](http://evil.example) *x*，一、招生，第 58 行" in html
    assert "<li>[1] " in html and html.count("<li>") == 1


def test_strip_sources_gives_back_the_answer_text() -> None:
    answer = fake_answer("q")
    assert strip_sources(chat_content(answer)) == answer.text + "[1]"
    assert strip_sources("一段话\n\n来源：我自己写的") == "一段话\n\n来源：我自己写的"
