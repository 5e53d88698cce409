"""The eval suite: benchmark questions scored against hand-checked answers and ground-truth tables.

- `questions` — the shared JSONL question format (`dev-questions.jsonl`, `questions-extra.jsonl`).
- `scoring` — small pure scoring functions (numbers with units, ratios, lists, refusals,
  citations, recall@k, latency percentiles) and `grade()` for one answer.
- `runner` — every question through `rag.answering.answer` and the naive `baseline` (a
  conversation's earlier turns asked first, with the service's own answers as history); writes
  answers.jsonl, summary.json, report.md (`report`) and accuracy.png (`charts`).
- `run` — the `EvalRun` the runner produces and the report renders.
- `compare` — which questions got better or worse between two runs.
- `cell_check` — cell accuracy of table extraction against `ground_truth/*.csv`.
"""
