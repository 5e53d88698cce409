"""Service hardening on fake services: roles, failed-key throttling, the guard (Host, cross-site,
key before body, body limit), history and question limits, Markdown-safe /v1 text, 4xx for odd input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from apifakes import FakeServices, fake_answer, fake_engine
from fastapi.testclient import TestClient

from api.app import create_app
from api.engine import Engine
from api.routes.documents import MAX_NAME_BYTES, safe_filename
from rag.errors import InputError
from rag.settings import Settings
from rag.types import Answer

READ = "read-key-123"
ADMIN = "admin-key-456"
READ_AUTH = {"Authorization": f"Bearer {READ}"}
ADMIN_AUTH = {"X-API-Key": ADMIN}
ORIGIN = "http://intranet.example"
LOCAL = "http://127.0.0.1"


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    return replace(settings, api_keys=(READ,), admin_keys=(ADMIN,), cors_origins=(ORIGIN,),
                   rate_limit_per_minute=1000, max_question_chars=50, max_body_bytes=4096,
                   max_history_chars=300, failed_auth_per_minute=3)


def client_for(
    settings: Settings, engine: Engine | None = None, *, base_url: str = "http://testserver"
) -> TestClient:
    app = create_app(settings, FakeServices(), engine=engine or fake_engine())
    return TestClient(app, raise_server_exceptions=False, base_url=base_url)


@pytest.fixture
def client(keyed: Settings) -> Iterator[TestClient]:
    with client_for(keyed) as c:
        yield c


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


# -- roles -------------------------------------------------------------------------------------


def test_read_key_asks_and_reads_but_cannot_change_the_corpus(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "招生多少人？"}, headers=READ_AUTH).status_code == 200
    assert client.get("/api/documents", headers=READ_AUTH).status_code == 200
    assert client.get("/api/documents/doc1/passages/row1", headers=READ_AUTH).status_code == 200
    files = {"file": ("a.txt", b"hello", "text/plain")}
    assert error_code(client.post("/api/documents", files=files, headers=READ_AUTH), 403) == "admin_required"
    assert error_code(client.post("/api/documents/reindex", headers=READ_AUTH), 403) == "admin_required"
    assert error_code(client.delete("/api/documents/doc1", headers=READ_AUTH), 403) == "admin_required"
    assert client.delete("/api/documents/doc1", headers=ADMIN_AUTH).status_code == 204


def test_admin_key_can_ask_too(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "招生多少人？"}, headers=ADMIN_AUTH).status_code == 200


def test_document_list_marks_bundled_reports(client: TestClient) -> None:
    assert [d["origin"] for d in client.get("/api/documents", headers=READ_AUTH).json()] == ["bundled"]


def test_wrong_keys_are_throttled_per_address_even_for_the_right_key(client: TestClient) -> None:
    for attempt in range(3):
        bad = {"Authorization": f"Bearer guess-{attempt}"}
        assert error_code(client.get("/api/documents", headers=bad), 401) == "unauthorized"
    guess = client.get("/api/documents", headers={"Authorization": "Bearer guess-9"})
    assert error_code(guess, 429) == "rate_limited"
    throttled = client.get("/api/documents", headers=READ_AUTH)
    assert error_code(throttled, 429) == "rate_limited" and int(throttled.headers["retry-after"]) >= 1


def test_openapi_declares_the_key_schemes_and_is_open(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer" and schemes["APIKeyHeader"]["name"] == "X-API-Key"
    assert {"HTTPBearer": []} in schema["paths"]["/api/ask"]["post"]["security"]
    assert client.get("/docs").status_code == 200


# -- guard: key before body, body limit ----------------------------------------------------------


def test_unauthenticated_body_is_refused_before_it_is_read(client: TestClient) -> None:
    received = []

    def body() -> Iterator[bytes]:
        for _ in range(200):
            received.append(1)
            yield b"x" * 1024

    response = client.post("/api/ask", content=body(), headers={"Content-Type": "application/json"})
    assert error_code(response, 401) == "unauthorized"
    assert len(received) < 200  # TestClient buffers some, but the app never drained the body


def test_json_body_over_the_limit_is_413_by_length_or_while_read(client: TestClient) -> None:
    big = json.dumps({"question": "招生", "history": [["问" * 3000, "答"]]})
    headers = {**READ_AUTH, "Content-Type": "application/json"}
    assert error_code(client.post("/api/ask", content=big, headers=headers), 413) == "too_large"

    def chunked() -> Iterator[bytes]:
        yield big.encode()

    response = client.post("/api/ask", content=chunked(), headers=headers)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert error_code(response, 413) == "too_large"


def test_history_characters_are_limited_on_ask_and_chat(client: TestClient) -> None:
    history = [["问" * 100, "答" * 100], ["问" * 100, "答" * 100]]
    ask = client.post("/api/ask", json={"question": "招生？", "history": history}, headers=READ_AUTH)
    assert error_code(ask, 400) == "history_too_long"
    messages = [{"role": "user", "content": "问" * 200}, {"role": "assistant", "content": "答" * 200},
                {"role": "user", "content": "招生？"}]
    chat = client.post("/v1/chat/completions", json={"messages": messages}, headers=READ_AUTH)
    assert error_code(chat, 400) == "history_too_long"


def test_too_long_question_is_the_same_error_on_ask_and_chat(keyed: Settings) -> None:
    with client_for(replace(keyed, max_body_bytes=1 << 20)) as c:
        question = "问" * 100_000
        ask = c.post("/api/ask", json={"question": question}, headers=READ_AUTH)
        chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]},
                      headers=READ_AUTH)
        assert error_code(ask, 400) == error_code(chat, 400) == "question_too_long"


def test_lone_surrogate_is_400_not_500(client: TestClient) -> None:
    headers = {**READ_AUTH, "Content-Type": "application/json"}
    chat = b'{"messages": [{"role": "user", "content": "\\ud800\\u62db\\u751f"}]}'
    response = client.post("/v1/chat/completions", content=chat, headers=headers)
    assert error_code(response, 400) == "invalid_text"
    ask = b'{"question": "\\u62db\\u751f", "history": [["\\udfff", "x"]]}'
    assert error_code(client.post("/api/ask", content=ask, headers=headers), 400) == "invalid_text"


# -- guard: open mode, Host allowlist, cross-site ------------------------------------------------


def test_open_mode_serves_only_loopback_host_names(settings: Settings) -> None:
    with client_for(settings, base_url=LOCAL) as local:
        assert local.get("/api/documents").status_code == 200
        rebound = local.get("/api/documents", headers={"Host": "evil.example"})
        assert error_code(rebound, 400) == "bad_host"
        assert local.get("/api/documents", headers={"Host": "localhost:8000"}).status_code == 200


def test_allowed_hosts_setting_is_the_allowlist(keyed: Settings) -> None:
    with client_for(replace(keyed, allowed_hosts=("nianbao.intranet",))) as c:
        assert error_code(c.get("/api/documents", headers=READ_AUTH), 400) == "bad_host"
        ok = c.get("/api/documents", headers={**READ_AUTH, "Host": "nianbao.intranet:8443"})
        assert ok.status_code == 200


def test_cross_site_form_posts_are_refused_in_open_mode(settings: Settings) -> None:
    files = {"file": ("changping-zhongzhi-2023.txt", "招生 9999 人".encode(), "text/plain")}
    with client_for(settings, base_url=LOCAL) as c:
        upload = c.post("/api/documents", files=files, headers={"Origin": "http://evil.example"})
        assert error_code(upload, 403) == "cross_site"
        reindex = c.post("/api/documents/reindex", headers={"Sec-Fetch-Site": "cross-site"})
        assert error_code(reindex, 403) == "cross_site"
        own_page = c.post("/api/ask", json={"question": "招生？"}, headers={"Origin": LOCAL})
        assert own_page.status_code == 200


def test_allowlisted_origin_may_post(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "招生？"}, headers={**READ_AUTH, "Origin": ORIGIN})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == ORIGIN


# -- safe text --------------------------------------------------------------------------------


def _markup_engine() -> Engine:
    def answer(question: str, services: Any = None, history: Any = ()) -> Answer:
        base = fake_answer(question, services, history)
        text = "招生<img src=x onerror=alert(1)>1061人，[点此查看](http://evil.example/a) ![x](http://e.x/i.png)"
        return replace(base, text=text)

    def stream(question: str, services: Any, history: Any) -> Iterator[str | Answer]:
        yield answer(question, services, history)

    return replace(fake_engine(), answer=answer, stream=stream)


def test_v1_content_is_markdown_safe(keyed: Settings) -> None:
    messages = [{"role": "user", "content": "招生多少人？"}]
    with client_for(keyed, _markup_engine()) as c:
        content = c.post("/v1/chat/completions", json={"messages": messages},
                         headers=READ_AUTH).json()["choices"][0]["message"]["content"]
        streamed = c.post("/v1/chat/completions", json={"messages": messages, "stream": True},
                          headers=READ_AUTH).text
    for text in (content, json.loads(streamed.split("data: ")[2].strip())["choices"][0]["delta"]["content"]):
        unescaped = re.sub(r"\\.", "", text)  # what a Markdown renderer still interprets
        assert "<" not in unescaped and "://" not in unescaped and "](" not in unescaped
        assert re.sub(r"\[\d+\]", "", unescaped).count("[") == 0
        assert "[1]" in text and "1061" in text and "点此查看" in text


# -- 4xx, never 500 ---------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["²", "1" * 4301, "١٢"])
def test_odd_passage_refs_are_404(client: TestClient, ref: str) -> None:
    response = client.get(f"/api/documents/doc1/passages/{ref}", headers=READ_AUTH)
    assert error_code(response, 404) == "not_found"


def test_file_names_are_cut_by_bytes_and_lose_bidi_controls() -> None:
    long = safe_filename("报" * 200 + ".txt")
    assert len(long.encode()) <= MAX_NAME_BYTES and long.endswith(".txt")
    assert safe_filename("报告\u202etxt.pdf") == "报告txt.pdf"
    assert safe_filename("a\u200bb\u2066.md") == "ab.md"
    with pytest.raises(InputError):
        safe_filename("\ud800.txt")
