"""The HTTP layer against fake services: error shape, auth, limits, CORS, streaming, documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from apifakes import FakeServices, fake_answer, fake_engine
from fastapi.testclient import TestClient

from api.app import create_app
from api.engine import Engine
from rag.settings import Settings

KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
ORIGIN = "http://intranet.example"
SOURCES = "\n\n来源：\n- [1] 昌平区中职教育质量年度报告，表1 招生情况，第 12 行"


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return replace(settings, api_keys=(KEY,), cors_origins=(ORIGIN,), rate_limit_per_minute=1000,
                   max_upload_bytes=4096, max_question_chars=50)


def client_for(settings: Settings, engine: Engine | None = None) -> TestClient:
    app = create_app(settings, FakeServices(), engine=engine or fake_engine())
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    with client_for(api_settings) as c:
        yield c


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines.get("event", "message"), json.loads(lines["data"])))
    return events


def test_livez_needs_no_key_and_readyz_reports_index(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok" and ready.json()["llm"] == "off"


def test_readyz_degraded_when_llm_breaker_open(api_settings: Settings) -> None:
    class DownLLM:
        def available(self) -> bool:
            return False

    app = create_app(api_settings, FakeServices(llm=DownLLM()), engine=fake_engine())
    with TestClient(app) as c:
        body = c.get("/readyz").json()
    assert body["status"] == "degraded" and body["index"] == "ok"


def test_ask_requires_key(client: TestClient) -> None:
    assert_error(client.post("/api/ask", json={"question": "招生多少人？"}), 401, "unauthorized")
    wrong = client.post("/api/ask", json={"question": "招生多少人？"}, headers={"X-API-Key": "nope"})
    assert_error(wrong, 401, "unauthorized")
    ok = client.post("/api/ask", json={"question": "招生多少人？"}, headers={"X-API-Key": KEY})
    assert ok.status_code == 200


def test_ask_returns_answer_json_with_citation_ids(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "2022年昌平区招生多少人？"}, headers=AUTH).json()
    assert body["value"] == 1061 and body["unit"] == "人"
    assert body["citations"][0]["chunk_id"] == "row1" and body["citations"][0]["doc_id"] == "doc1"
    assert body["citations"][0]["line"] == 12
    assert body["computation"] == "history=0"


def test_ask_passes_history(client: TestClient) -> None:
    history = [["2022年昌平区招生多少人？", "1061人"]]
    body = client.post("/api/ask", json={"question": "那朝阳区呢？", "history": history}, headers=AUTH).json()
    assert body["computation"] == "history=1"


def test_question_length_limit(client: TestClient) -> None:
    long = client.post("/api/ask", json={"question": "问" * 51}, headers=AUTH)
    assert_error(long, 400, "question_too_long")
    assert_error(client.post("/api/ask", json={"question": "   "}, headers=AUTH), 400, "empty_question")


def test_validation_error_names_fields_without_echoing_input(client: TestClient) -> None:
    error = assert_error(client.post("/api/ask", json={"question": ["<script>"]}, headers=AUTH), 422,
                         "invalid_request")
    assert "question" in error["message"] and "<script>" not in error["message"]
    assert_error(client.post("/api/ask", content=b"{not json", headers=AUTH), 422, "invalid_request")


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.get("/api/ask", headers=AUTH), 405, "method_not_allowed")


def test_unexpected_error_hides_details(api_settings: Settings) -> None:
    def broken(question: str, services: Any, history: Any) -> Any:
        raise RuntimeError("secret /etc/passwd sk-abc")

    engine = replace(fake_engine(), answer=broken)
    with client_for(api_settings, engine) as c:
        response = c.post("/api/ask", json={"question": "招生多少人？"}, headers=AUTH)
    assert_error(response, 500, "internal")
    assert "secret" not in response.text and "Traceback" not in response.text


def test_rate_limit_per_key_sends_retry_after(api_settings: Settings) -> None:
    with client_for(replace(api_settings, rate_limit_per_minute=3)) as c:
        codes = [c.post("/api/ask", json={"question": "招生？"}, headers=AUTH).status_code for _ in range(3)]
        limited = c.post("/api/ask", json={"question": "招生？"}, headers=AUTH)
    assert codes == [200, 200, 200]
    assert_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_cors_allows_only_listed_origins(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    ok = client.options("/api/ask/stream", headers={"Origin": ORIGIN, **preflight})
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    bad = client.options("/api/ask/stream", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in bad.headers
    assert_error(bad, 400, "cors_refused")


def test_stream_sends_answer_then_citations_then_done(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": "招生多少人？"}, headers=AUTH)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["answer", "citations", "done"]
    assert events[0][1]["value"] == 1061 and events[1][1][0]["chunk_id"] == "row1"


def test_stream_sends_tokens_first_in_llm_mode(api_settings: Settings) -> None:
    with client_for(api_settings, fake_engine(["2022年", "招生", "1061人"])) as c:
        events = sse_events(c.post("/api/ask/stream", json={"question": "招生？"}, headers=AUTH).text)
    assert [name for name, _ in events] == ["token", "token", "token", "answer", "citations", "done"]


def test_stream_reports_errors_in_band(api_settings: Settings) -> None:
    def broken(question: str, services: Any, history: Any) -> Iterator[Any]:
        raise RuntimeError("secret")
        yield  # pragma: no cover

    with client_for(api_settings, replace(fake_engine(), stream=broken)) as c:
        text = c.post("/api/ask/stream", json={"question": "招生？"}, headers=AUTH).text
    assert sse_events(text) == [("error", {"status": 500, "code": "internal", "message": "服务内部错误。"})]


def test_chat_completion_non_stream(client: TestClient) -> None:
    messages = [{"role": "system", "content": "ignored"}, {"role": "user", "content": "2022年昌平区招生？"},
                {"role": "assistant", "content": "1061人"}, {"role": "user", "content": "那朝阳区呢？"}]
    request = {"model": "nianbao", "messages": messages}
    body = client.post("/v1/chat/completions", json=request, headers=AUTH).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == fake_answer("q").text + "[1]" + SOURCES
    assert body["citations"][0]["quote"] == "招生人数\t1061"
    assert body["nianbao"]["computation"] == "history=1"


def test_chat_history_drops_the_sources_list_of_earlier_answers(api_settings: Settings) -> None:
    seen: list[Any] = []

    def answer(question: str, services: Any, history: Any) -> Any:
        seen.append(list(history))
        return fake_answer(question, services, history)

    with client_for(api_settings, replace(fake_engine(), answer=answer)) as c:
        earlier = c.post("/v1/chat/completions", headers=AUTH,
                         json={"messages": [{"role": "user", "content": "招生？"}]}).json()
        reply = earlier["choices"][0]["message"]["content"]
        messages = [{"role": "user", "content": "招生？"}, {"role": "assistant", "content": reply},
                    {"role": "user", "content": "那朝阳区呢？"}]
        c.post("/v1/chat/completions", headers=AUTH, json={"messages": messages})
    assert "来源" in reply
    assert seen[-1] == [("招生？", fake_answer("q").text + "[1]")]


def test_chat_completion_needs_user_last(client: TestClient) -> None:
    messages = [{"role": "assistant", "content": "hi"}]
    response = client.post("/v1/chat/completions", json={"messages": messages}, headers=AUTH)
    assert_error(response, 400, "no_question")


def test_chat_completion_stream(api_settings: Settings) -> None:
    with client_for(api_settings, fake_engine(["2022年昌平区", "中职学校招生1061人。"])) as c:
        text = c.post("/v1/chat/completions", headers=AUTH,
                      json={"messages": [{"role": "user", "content": "招生？"}], "stream": True}).text
    datas = [block.removeprefix("data: ") for block in text.strip().split("\n\n")]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert content == fake_answer("q").text + "[1]" + SOURCES
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"][0]["chunk_id"] == "row1"


def test_models_lists_service(client: TestClient) -> None:
    assert client.get("/v1/models", headers=AUTH).json()["data"][0]["id"] == "nianbao"


def test_documents_list_delete_and_passage(client: TestClient) -> None:
    assert client.get("/api/documents", headers=AUTH).json()[0]["doc_id"] == "doc1"
    passage = client.get("/api/documents/doc1/passages/row1", headers=AUTH).json()
    assert passage["passage"]["id"] == "row1" and passage["table"]["id"] == "tab1"
    assert [c["id"] for c in passage["before"]] == ["p1"]
    by_line = client.get("/api/documents/doc1/passages/12", headers=AUTH).json()
    assert by_line["passage"]["id"] == "row1"
    assert_error(client.get("/api/documents/doc1/passages/nope", headers=AUTH), 404, "not_found")
    assert client.delete("/api/documents/doc1", headers=AUTH).status_code == 204
    assert_error(client.delete("/api/documents/doc1", headers=AUTH), 404, "not_found")
    assert_error(client.get("/api/documents/doc1/passages/row1", headers=AUTH), 404, "not_found")


def test_upload_needs_key(client: TestClient) -> None:
    files = {"file": ("a.txt", b"hello", "text/plain")}
    assert_error(client.post("/api/documents", files=files), 401, "unauthorized")


def test_upload_limit_with_content_length(client: TestClient) -> None:
    files = {"file": ("big.txt", b"x" * 200_000, "text/plain")}
    assert_error(client.post("/api/documents", files=files, headers=AUTH), 413, "too_large")


def test_upload_limit_while_reading_chunked_body(client: TestClient) -> None:
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    sent = []

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = client.post("/api/documents", content=body(), headers=headers)
    assert_error(response, 413, "too_large")
    assert "content-length" not in {k.lower() for k in response.request.headers}


def test_upload_file_part_over_limit_is_refused(client: TestClient) -> None:
    files = {"file": ("big.txt", b"x" * 5000, "text/plain")}
    assert_error(client.post("/api/documents", files=files, headers=AUTH), 413, "too_large")


def test_upload_rejects_other_types(client: TestClient) -> None:
    files = {"file": ("evil.exe", b"MZ", "application/octet-stream")}
    assert_error(client.post("/api/documents", files=files, headers=AUTH), 415, "unsupported_media_type")
    assert_error(client.post("/api/documents", json={"a": 1}, headers=AUTH), 415, "unsupported_media_type")


def test_openapi_page_loads_nothing_from_other_servers(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_widget_and_demo_are_served(client: TestClient) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text and "http" not in js.text.split("*/", 1)[1].replace("http.", "")
    assert client.get("/demo").headers["content-type"].startswith("text/html")
    assert client.get("/livez").headers["x-content-type-options"] == "nosniff"


def test_repeated_questions_are_answered_from_cache_until_the_index_changes(api_settings: Settings) -> None:
    calls = []

    def counting(question: str, services: Any, history: Any) -> Any:
        calls.append(question)
        return fake_answer(question, services, history)

    with client_for(api_settings, replace(fake_engine(), answer=counting)) as c:
        for _ in range(3):
            assert c.post("/api/ask", json={"question": "招生多少人？"}, headers=AUTH).status_code == 200
        assert c.delete("/api/documents/doc1", headers=AUTH).status_code == 204
        c.post("/api/ask", json={"question": "招生多少人？"}, headers=AUTH)
    assert len(calls) == 2


def test_no_cache_when_disabled(api_settings: Settings) -> None:
    calls = []

    def counting(question: str, services: Any, history: Any) -> Any:
        calls.append(question)
        return fake_answer(question, services, history)

    with client_for(replace(api_settings, answer_cache_size=0), replace(fake_engine(), answer=counting)) as c:
        for _ in range(2):
            c.post("/api/ask", json={"question": "招生多少人？"}, headers=AUTH)
    assert len(calls) == 2
