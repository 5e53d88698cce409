/* nianbao 年报问答 chat widget.
 * Embed: <script src="http://HOST/widget.js" data-api="http://HOST" data-key="API-KEY" defer></script>
 * Optional: data-title="…" (panel title), data-open="true" (start open).
 * No build step, no external resources. Everything from the server is rendered as text
 * (textContent / text nodes only): no HTML from data, no links, no images. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__nianbaoWidget) { return; }
  window.__nianbaoWidget = true;

  var scriptOrigin = new URL(script.src, location.href).origin;
  var cfg = {
    api: (script.getAttribute("data-api") || scriptOrigin).replace(/\/+$/, ""),
    key: script.getAttribute("data-key") || "",
    title: script.getAttribute("data-title") || "年报问答",
    open: script.getAttribute("data-open") === "true"
  };
  var MAX_TURNS = 6;

  var CSS = [
    ":host{all:initial;font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif;}",
    "*{box-sizing:border-box;font-family:inherit;}",
    ".bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;",
    "background:#b3261e;color:#fff;font-size:22px;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);}",
    ".bubble:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:2px;}",
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:min(420px,calc(100vw - 24px));",
    "height:min(620px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;color:#202124;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;font-size:15px;line-height:1.6;}",
    ".panel[hidden],.source[hidden],.chat[hidden]{display:none;}",
    "header{display:flex;align-items:center;gap:6px;padding:10px 12px;background:#b3261e;color:#fff;}",
    "header h2{flex:1;margin:0;font-size:16px;font-weight:600;}",
    "header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:6px;",
    "padding:2px 8px;font-size:13px;cursor:pointer;min-height:32px;}",
    ".chat{flex:1;display:flex;flex-direction:column;min-height:0;}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;}",
    ".hint{color:#5f6368;font-size:13px;}",
    ".msg{max-width:92%;padding:8px 11px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere;}",
    ".user{align-self:flex-end;background:#fce8e6;}",
    ".bot{align-self:flex-start;background:#f1f3f4;}",
    ".bot.refused .text{color:#5f6368;}",
    ".bot.error .text{color:#b3261e;}",
    ".bot.preview .text{color:#5f6368;font-style:italic;}",
    ".warn{font-size:12px;color:#8a5300;margin-top:4px;}",
    ".cites{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-direction:column;gap:4px;}",
    ".cite{display:block;width:100%;text-align:left;background:#fff;border:1px solid #dadce0;border-radius:6px;",
    "padding:4px 8px;font-size:13px;color:#1a4d8f;cursor:pointer;white-space:normal;overflow-wrap:anywhere;}",
    ".actions{margin-top:6px;display:flex;gap:6px;}",
    ".groups{margin-top:6px;display:flex;flex-direction:column;gap:8px;white-space:normal;}",
    ".group h4{margin:0;font-size:14px;color:#b3261e;}",
    ".group .where{font-size:11px;color:#5f6368;overflow-wrap:anywhere;}",
    ".group .items{margin:4px 0 0;padding-left:18px;display:flex;flex-direction:column;gap:4px;}",
    ".cite.inline{display:inline;width:auto;padding:0 4px;margin-left:2px;font-size:12px;vertical-align:baseline;}",
    ".actions button{font-size:12px;border:1px solid #dadce0;background:#fff;border-radius:6px;padding:2px 8px;cursor:pointer;min-height:28px;}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e0e0e0;}",
    "textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #dadce0;border-radius:8px;font-size:15px;}",
    "form button{min-width:64px;border:0;border-radius:8px;background:#b3261e;color:#fff;font-size:15px;cursor:pointer;}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}",
    ".source{flex:1;display:flex;flex-direction:column;min-height:0;}",
    ".source .bar{display:flex;align-items:center;gap:8px;padding:8px 12px;border-bottom:1px solid #e0e0e0;}",
    ".source .bar button{border:1px solid #dadce0;background:#fff;border-radius:6px;padding:2px 10px;cursor:pointer;min-height:32px;}",
    ".source .bar h3{flex:1;margin:0;font-size:14px;overflow-wrap:anywhere;}",
    ".source .body{flex:1;overflow:auto;padding:10px 12px;font-size:13px;}",
    ".source .meta{color:#5f6368;margin-bottom:8px;overflow-wrap:anywhere;}",
    ".source pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 10px;font-family:inherit;}",
    ".source .ctx{color:#70757a;}",
    ".source .main{background:#fffbe6;border-left:3px solid #f4b400;padding:6px 8px;}",
    "mark{background:#fde293;color:inherit;}",
    ".grid .caption{font-weight:600;margin-bottom:4px;overflow-wrap:anywhere;}",
    ".grid .scroll{overflow-x:auto;}",
    ".grid table{border-collapse:collapse;font-size:12px;min-width:100%;}",
    ".grid td{border:1px solid #e0e0e0;padding:2px 5px;vertical-align:top;}",
    ".grid tr.hit td{background:#fde293;}",
    "mark.num{background:#f28b82;font-weight:700;}",
    ".status{padding:0 12px;font-size:12px;color:#5f6368;min-height:0;}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0;}",
    ".bubble{right:12px;bottom:12px;}}"
  ].join("");

  /* Element with attributes and children; text children become text nodes (never HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) { node.setAttribute(name, String(attrs[name])); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var host = el("div", { id: "nianbao-widget" });
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;

  var bubble = el("button", { "class": "bubble", type: "button", "aria-label": "打开年报问答",
    "aria-expanded": "false", "aria-controls": "nb-panel" }, ["问"]);
  var clearBtn = el("button", { type: "button", "aria-label": "清空对话" }, ["清空"]);
  var closeBtn = el("button", { type: "button", "aria-label": "关闭对话窗口" }, ["×"]);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "对话记录" });
  var status = el("div", { "class": "status", role: "status", "aria-live": "polite" });
  var input = el("textarea", { id: "nb-input", rows: "2", maxlength: "500",
    placeholder: "例如：2022年昌平区中职学校招生多少人？" });
  var sendBtn = el("button", { type: "submit", "aria-label": "发送问题" }, ["发送"]);
  var form = el("form", { "aria-label": "提问" }, [
    el("label", { "for": "nb-input", "class": "sr" }, ["输入问题"]), input, sendBtn]);
  var chat = el("div", { "class": "chat" }, [log, status, form]);
  var backBtn = el("button", { type: "button", "aria-label": "返回对话" }, ["返回"]);
  var sourceTitle = el("h3", { id: "nb-source-title" }, ["引用原文"]);
  var sourceBody = el("div", { "class": "body", tabindex: "0", "aria-labelledby": "nb-source-title" });
  var source = el("div", { "class": "source", role: "region", "aria-label": "引用原文", hidden: "" }, [
    el("div", { "class": "bar" }, [backBtn, sourceTitle]), sourceBody]);
  var panel = el("section", { id: "nb-panel", "class": "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "nb-title", hidden: "" }, [
    el("header", {}, [el("h2", { id: "nb-title" }, [cfg.title]), clearBtn, closeBtn]), chat, source]);

  var history = [];
  var busy = null;
  var lastCite = null;

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (cfg.key) { h.Authorization = "Bearer " + cfg.key; }
    return h;
  }

  function say(text) { status.textContent = text; }

  function showHint() {
    log.appendChild(el("p", { "class": "hint" }, [
      "可以询问各区职业教育质量年度报告中的数据，回答会附上可点击的原文出处。"]));
  }

  function open() {
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", "关闭年报问答");
    input.focus();
  }

  function close() {
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", "打开年报问答");
    bubble.focus();
  }

  function clear() {
    if (busy) { busy.abort(); }
    history = [];
    log.textContent = "";
    showSource(false);
    showHint();
    say("对话已清空");
    input.focus();
  }

  function addMessage(role, text) {
    var body = el("div", { "class": "text" }, [text]);
    var box = el("div", { "class": "msg " + role }, [body]);
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
    return { box: box, body: body };
  }

  function citeLabel(c) {
    var where = [c.file, c.table || c.section, c.page ? "第" + c.page + "页" : "", c.line ? "第" + c.line + "行" : ""];
    return "[" + c.n + "] " + where.filter(Boolean).join(" · ");
  }

  function renderAnswer(msg, payload) {
    msg.body.textContent = String(payload.answer || "");
    if (payload.refused) { msg.box.classList.add("refused"); }
    (payload.warnings || []).forEach(function (w) {
      msg.box.appendChild(el("div", { "class": "warn" }, ["提示：" + String(w)]));
    });
    var cites = payload.citations || [];
    if ((payload.groups || []).length) {
      renderGroups(msg, payload);
    } else if (cites.length) {
      var list = el("ol", { "class": "cites", "aria-label": "引用出处" });
      cites.forEach(function (c) {
        var btn = el("button", { type: "button", "class": "cite",
          "aria-label": "查看引用 " + c.n + "：" + String(c.file || "") + (c.line ? " 第" + c.line + "行" : "") }, [citeLabel(c)]);
        btn.addEventListener("click", function () { openSource(c, payload, btn); });
        list.appendChild(el("li", {}, [btn]));
      });
      msg.box.appendChild(list);
    }
    var copy = el("button", { type: "button", "aria-label": "复制回答" }, ["复制"]);
    copy.addEventListener("click", function () { copyAnswer(payload); });
    msg.box.appendChild(el("div", { "class": "actions" }, [copy]));
    log.scrollTop = (payload.groups || []).length ? startOf(msg.box) : log.scrollHeight;
  }

  /* A passage answer: the report it speaks for, then each section heading with its sentences,
   * every sentence followed by its own clickable citation. */
  function renderGroups(msg, payload) {
    var byN = {};
    (payload.citations || []).forEach(function (c) { byN[c.n] = c; });
    var lines = String(payload.answer || "").split("\n");
    var end = lines.findIndex(function (line) { return line.charAt(0) === "【"; });
    msg.body.textContent = lines.slice(0, end < 0 ? 1 : end).join("\n").trim();
    var box = el("div", { "class": "groups" });
    payload.groups.forEach(function (g) {
      var items = el("ul", { "class": "items" });
      (g.citations || []).forEach(function (n) {
        var c = byN[n];
        if (!c) { return; }
        var btn = el("button", { type: "button", "class": "cite inline",
          "aria-label": "查看引用 " + c.n + "：" + String(c.file || "") + (c.line ? " 第" + c.line + "行" : ""),
          title: citeLabel(c) }, ["[" + c.n + "]"]);
        btn.addEventListener("click", function () { openSource(c, payload, btn); });
        items.appendChild(el("li", {}, [String(c.quote || "").replace(/\n/g, ""), " ", btn]));
      });
      box.appendChild(el("section", { "class": "group" }, [
        el("h4", {}, [sectionLabel(g.section)]),
        el("div", { "class": "where" }, [String(g.section || "")]), items]));
    });
    msg.box.appendChild(box);
  }

  /* The log's scroll position that shows a long answer from its question on. */
  function startOf(box) {
    var from = box.previousElementSibling || box;
    return Math.max(0, from.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 8);
  }

  function sectionLabel(path) {
    var last = String(path || "").split(" > ").pop();
    return last.replace(/^[\s（(【\[]*(?:[0-9]+(?:[.．][0-9]+)*|[一二三四五六七八九十]+)[)）】\].、．]?\s*/, "") || last;
  }

  function copyAnswer(payload) {
    var lines = [String(payload.answer || "")].concat((payload.citations || []).map(function (c) {
      return citeLabel(c) + (c.quote ? "：" + c.quote : "");
    }));
    var text = lines.join("\n");
    var done = function () { say("已复制回答"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(text); done(); });
    } else { legacyCopy(text); done(); }
  }

  function legacyCopy(text) {
    var area = el("textarea", { "aria-hidden": "true", style: "position:fixed;left:-9999px;top:0" });
    area.value = text;
    root.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    area.remove();
  }

  /* Text split into nodes with <mark> around each needle (needles matched literally). */
  function highlighted(text, needles, cls) {
    var frag = document.createDocumentFragment();
    var wanted = needles.filter(function (n) { return n && text.indexOf(n) >= 0; });
    var pos = 0;
    while (pos < text.length) {
      var best = -1, hit = "";
      wanted.forEach(function (n) {
        var at = text.indexOf(n, pos);
        if (at >= 0 && (best < 0 || at < best || (at === best && n.length > hit.length))) { best = at; hit = n; }
      });
      if (best < 0) { break; }
      frag.appendChild(document.createTextNode(text.slice(pos, best)));
      frag.appendChild(el("mark", { "class": cls }, [hit]));
      pos = best + hit.length;
    }
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  /* How the answer's value may be written in the source: 1061, 1,061, 94.26 … */
  function numbersOf(payload) {
    if (typeof payload.value !== "number" || !isFinite(payload.value)) { return []; }
    var v = payload.value;
    return [String(v), v.toLocaleString("en-US", { maximumFractionDigits: 6 }), v.toFixed(2)];
  }

  /* A block of text with the quote marked, and the answer's numbers marked inside the quote. */
  function passageBlock(text, quote, numbers, cls) {
    var pre = el("pre", { "class": cls });
    var at = quote ? text.indexOf(quote) : -1;
    if (at < 0) {
      pre.appendChild(highlighted(text, numbers, "num"));
      return pre;
    }
    pre.appendChild(document.createTextNode(text.slice(0, at)));
    var mark = el("mark", {});
    mark.appendChild(highlighted(quote, numbers, "num"));
    pre.appendChild(mark);
    pre.appendChild(document.createTextNode(text.slice(at + quote.length)));
    return pre;
  }

  /* A table chunk (tab-separated lines) as a grid, the cited row marked and its number highlighted. */
  function tableBlock(text, rowTexts, numbers) {
    var wrap = el("div", { "class": "main grid" });
    var table = el("table", {});
    var marked = false;
    text.split("\n").forEach(function (line) {
      if (line.indexOf("\t") < 0) {
        if (line.trim()) { wrap.appendChild(el("div", { "class": "caption" }, [line])); }
        return;
      }
      var hit = !marked && rowTexts.some(function (r) {
        r = r.trim();
        return r && (line.trim() === r || (r.indexOf("\t") >= 0 && line.indexOf(r) >= 0));
      });
      var row = el("tr", hit ? { "class": "hit" } : {});
      line.split("\t").forEach(function (cell) {
        var td = el("td", {});
        td.appendChild(hit ? highlighted(cell, numbers, "num") : document.createTextNode(cell));
        row.appendChild(td);
      });
      if (hit) { marked = true; row.setAttribute("aria-label", "引用的行"); }
      table.appendChild(row);
    });
    wrap.appendChild(el("div", { "class": "scroll" }, [table]));
    return wrap;
  }

  function showSource(on) {
    source.hidden = !on;
    chat.hidden = on;
  }

  function openSource(c, payload, button) {
    lastCite = button;
    sourceTitle.textContent = "[" + c.n + "] " + String(c.title || c.file || "引用原文");
    sourceBody.textContent = "正在加载原文…";
    showSource(true);
    backBtn.focus();
    var ref = c.chunk_id || String(c.line || "");
    var url = cfg.api + "/api/documents/" + encodeURIComponent(c.doc_id || "") + "/passages/" + encodeURIComponent(ref);
    fetch(url, { headers: headers() }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      sourceBody.textContent = "";
      if (!res.ok) { throw new Error(errorText(res.body)); }
      renderPassage(res.body, c, numbersOf(payload));
    }).catch(function (err) {
      sourceBody.textContent = "";
      sourceBody.appendChild(el("p", {}, [err && err.message ? err.message : "无法加载原文。"]));
    });
  }

  function renderPassage(p, c, numbers) {
    var d = p.document || {}, main = p.passage || {};
    var meta = [d.title || d.file, main.section, main.table || p.table && p.table.table,
      "第" + main.line_start + (main.line_end !== main.line_start ? "–" + main.line_end : "") + "行",
      main.page ? "第" + main.page + "页" : ""];
    sourceBody.appendChild(el("div", { "class": "meta" }, [meta.filter(Boolean).join(" · ")]));
    var quote = String(c.quote || main.text || "");
    (p.before || []).forEach(function (b) { sourceBody.appendChild(el("pre", { "class": "ctx" }, [String(b.text)])); });
    if (p.table) {
      sourceBody.appendChild(tableBlock(String(p.table.text), [quote, String(main.text || "")], numbers));
    } else if (main.kind === "table") {
      sourceBody.appendChild(tableBlock(String(main.text || ""), [quote], numbers));
    } else {
      sourceBody.appendChild(passageBlock(String(main.text || ""), quote, numbers, "main"));
    }
    (p.after || []).forEach(function (a) { sourceBody.appendChild(el("pre", { "class": "ctx" }, [String(a.text)])); });
    var marked = sourceBody.querySelector("mark");
    if (marked && marked.scrollIntoView) { marked.scrollIntoView({ block: "center" }); }
  }

  function errorText(body) {
    return body && body.error && body.error.message ? String(body.error.message) : "请求失败。";
  }

  function setBusy(controller) {
    busy = controller;
    sendBtn.textContent = controller ? "停止" : "发送";
    sendBtn.setAttribute("aria-label", controller ? "停止回答" : "发送问题");
  }

  function ask(question) {
    addMessage("user", question);
    var msg = addMessage("bot", "正在查找…");
    var controller = new AbortController();
    setBusy(controller);
    var streamed = "";
    var answered = null;
    var body = JSON.stringify({ question: question, history: history.slice(-MAX_TURNS) });
    fetch(cfg.api + "/api/ask/stream", { method: "POST", headers: headers(), body: body, signal: controller.signal })
      .then(function (r) {
        if (!r.ok) { return r.json().then(function (b) { throw new Error(errorText(b)); }, function () { throw new Error("请求失败（" + r.status + "）。"); }); }
        return readEvents(r.body, function (event, data) {
          if (event === "token") {
            /* an unchecked draft, shown as a preview until the checked answer replaces it */
            streamed += String(data.text || "");
            msg.box.classList.add("preview");
            msg.body.textContent = streamed;
          } else if (event === "answer") {
            answered = data;
            msg.box.classList.remove("preview");
            renderAnswer(msg, data);
          } else if (event === "error") {
            throw new Error(String(data.message || "回答失败。"));
          }
        });
      })
      .then(function () {
        if (answered) { history.push([question, String(answered.answer || "")]); say("回答完成"); }
      })
      .catch(function (err) {
        msg.box.classList.add("error");
        msg.body.textContent = controller.signal.aborted ? "已停止。" : (err && err.message ? err.message : "无法连接服务。");
        say("");
      })
      .then(function () { if (busy === controller) { setBusy(null); } });
  }

  /* Calls onEvent(name, data) for each Server-Sent Event in the response body. */
  function readEvents(stream, onEvent) {
    var reader = stream.getReader();
    var decoder = new TextDecoder("utf-8");
    var buffer = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      if (data.length) { onEvent(name, JSON.parse(data.join("\n"))); }
    }
    function pump() {
      return reader.read().then(function (part) {
        buffer += decoder.decode(part.value || new Uint8Array(), { stream: !part.done });
        buffer = buffer.replace(/\r\n/g, "\n");
        var cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          dispatch(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
        if (part.done) { if (buffer.trim()) { dispatch(buffer); } return; }
        return pump();
      });
    }
    return pump();
  }

  bubble.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
  closeBtn.addEventListener("click", close);
  clearBtn.addEventListener("click", clear);
  backBtn.addEventListener("click", function () {
    showSource(false);
    if (lastCite) { lastCite.focus(); } else { input.focus(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy) { busy.abort(); return; }
    var q = input.value.trim();
    if (!q) { say("请输入问题"); return; }
    input.value = "";
    ask(q);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  root.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    e.stopPropagation();
    if (!source.hidden) { backBtn.click(); } else if (!panel.hidden) { close(); }
  });

  root.appendChild(style);
  root.appendChild(bubble);
  root.appendChild(panel);
  showHint();
  function mount() { document.body.appendChild(host); if (cfg.open) { open(); } }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
  window.NianbaoWidget = { open: open, close: close, clear: clear };
})();
