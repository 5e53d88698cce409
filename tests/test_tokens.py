from rag.tokens import count_tokens


def test_counts_chinese_tokens_offline() -> None:
    n = count_tokens("2022年昌平区中职学校招生1061人。")
    assert 8 <= n <= 30
    assert count_tokens("") == 0
