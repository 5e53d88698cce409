/* nianbao 年报问答 admin page: the reports (list, upload, delete, re-index) and their audits.
 * No build step, no external resources. Everything from the server is rendered as text
 * (textContent / text nodes only): no HTML from data, no links built from data, no images. */
(function () {
  "use strict";
  var api = location.origin;
  var $ = function (id) { return document.getElementById(id); };
  var keyInput = $("key");
  var current = null;
  var params = new URLSearchParams(location.hash.slice(1));
  if (params.get("key")) { keyInput.value = params.get("key"); history.replaceState(null, "", location.pathname); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function say(text, isError) {
    var s = $("status");
    s.textContent = text;
    s.className = isError ? "status error" : "status";
  }
  function headers() {
    var h = {};
    if (keyInput.value) { h["Authorization"] = "Bearer " + keyInput.value; }
    return h;
  }
  function message(body, fallback) {
    return (body && body.error && typeof body.error.message === "string") ? body.error.message : fallback;
  }
  function call(method, path) {
    return fetch(api + path, { method: method, headers: headers() }).then(function (r) {
      if (r.status === 204) { return null; }
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) { throw new Error(message(body, "请求失败（" + r.status + "）")); }
        return body;
      });
    });
  }

  function years(d) {
    var ys = [d.data_year, d.report_year].filter(function (y, i, all) { return y && all.indexOf(y) === i; });
    return ys.join(" / ");
  }
  var ORIGINS = { bundled: "内置", uploaded: "上传", missing: "文件缺失" };

  function loadDocs() {
    return call("GET", "/api/admin/documents").then(function (rows) {
      var body = $("docs");
      clear(body);
      if (!rows.length) { body.appendChild(el("tr", {}, [el("td", { colspan: "9", "class": "empty" }, ["索引中还没有报告。"])])); }
      rows.forEach(function (row) {
        var d = row.document;
        var audit = el("button", { type: "button", "data-action": "audit" }, ["查看"]);
        audit.addEventListener("click", function () { showAudit(d); });
        var del = el("button", { type: "button", "data-action": "delete" }, ["删除"]);
        del.addEventListener("click", function () { remove(d, del); });
        var tr = el("tr", { "data-doc": d.doc_id }, [
          el("td", { title: d.title }, [d.file]),
          el("td", {}, [el("span", { "class": "tag " + row.origin }, [ORIGINS[row.origin] || row.origin])]),
          el("td", {}, [d.region]),
          el("td", {}, [years(d)]),
          el("td", { "class": "n" }, [String(row.tables)]),
          el("td", { "class": "n" }, [String(row.facts)]),
          el("td", { "class": "n" }, [String(row.chunks)]),
          el("td", { "class": "n", "data-field": "findings" }, [String(row.findings)]),
          el("td", {}, [audit, " ", del])
        ]);
        if (current && current.doc_id === d.doc_id) { tr.className = "current"; }
        body.appendChild(tr);
      });
    }).catch(function (e) { say(e.message, true); });
  }

  function upload() {
    var file = $("file").files[0];
    if (!file) { say("请先选择文件。", true); return; }
    var form = new FormData();
    form.append("file", file);
    var xhr = new XMLHttpRequest();
    var bar = $("progress");
    bar.hidden = false; bar.value = 0;
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
    xhr.upload.onload = function () { say("已上传，正在解析和索引…"); };
    xhr.onload = function () {
      bar.hidden = true;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) {
        say("已导入：" + file.name + "（" + (body && body.chunks) + " 个段落）");
        $("file").value = "";
        loadDocs();
      } else {
        say("上传失败：" + message(body, "请求失败（" + xhr.status + "）"), true);
      }
    };
    xhr.onerror = function () { bar.hidden = true; say("上传失败：无法连接服务。", true); };
    xhr.open("POST", api + "/api/documents");
    var h = headers();
    Object.keys(h).forEach(function (k) { xhr.setRequestHeader(k, h[k]); });
    say("正在上传 " + file.name + " …");
    xhr.send(form);
  }

  function remove(d, button) {
    button.disabled = true;
    call("DELETE", "/api/documents/" + encodeURIComponent(d.doc_id)).then(function () {
      say("已删除：" + d.file);
      if (current && current.doc_id === d.doc_id) { current = null; clear($("audit")); $("passage").hidden = true; }
      return loadDocs();
    }).catch(function (e) { button.disabled = false; say("删除失败：" + e.message, true); });
  }

  function reindex() {
    $("reindex").disabled = true;
    call("POST", "/api/documents/reindex").then(function () {
      say("正在重建索引…");
      poll(0);
    }).catch(function (e) { $("reindex").disabled = false; say("重建索引失败：" + e.message, true); });
  }
  function poll(n) {
    call("GET", "/api/documents/reindex").then(function (s) {
      if (s.running && n < 900) { setTimeout(function () { poll(n + 1); }, 1000); return; }
      $("reindex").disabled = false;
      var last = s.last || {};
      if (last.ok) {
        var failed = (last.failed || []).length ? "，失败：" + last.failed.join("、") : "";
        say("重建索引完成：" + last.documents + " 份报告，" + last.chunks + " 个段落，用时 " + last.seconds + " 秒" + failed);
      } else {
        say("重建索引失败：" + (last.message || "未知原因"), true);
      }
      loadDocs();
    }).catch(function (e) { $("reindex").disabled = false; say(e.message, true); });
  }

  function showAudit(d) {
    current = d;
    Array.prototype.forEach.call(document.querySelectorAll("#docs tr"), function (tr) {
      tr.className = tr.getAttribute("data-doc") === d.doc_id ? "current" : "";
    });
    var box = $("audit");
    clear(box); box.className = "";
    $("passage").hidden = true;
    box.appendChild(el("p", {}, ["正在检查 " + d.file + " …"]));
    call("GET", "/api/documents/" + encodeURIComponent(d.doc_id) + "/audit").then(function (a) {
      clear(box);
      box.appendChild(el("p", {}, [d.title + "：" + a.findings.length + " 处不一致（用时 " + a.seconds + " 秒）"]));
      if (!a.findings.length) { return; }
      var list = el("ol", { "class": "findings" });
      a.findings.forEach(function (f) {
        var what = f.measure + (f.year ? "（" + f.year + " 年）" : "");
        list.appendChild(el("li", {}, [
          el("div", { "class": "kind" }, [f.label + " · " + what]),
          el("div", { "class": "detail" }, [f.detail]),
          citeButton(d, f.first), citeButton(d, f.second)
        ]));
      });
      box.appendChild(list);
    }).catch(function (e) { clear(box); box.appendChild(el("p", { "class": "status error" }, [e.message])); });
  }

  function citeButton(d, s) {
    var where = s.file + " 第 " + s.line + " 行" + (s.table ? "（表" + s.table + "）" : "");
    var b = el("button", { type: "button", "class": "cite" }, [where + "：" + s.raw + "「" + s.quote + "」"]);
    b.addEventListener("click", function () { showPassage(d, s); });
    return b;
  }

  /* Text split into nodes with <mark> around each needle (matched literally). */
  function highlighted(text, needles) {
    var frag = document.createDocumentFragment();
    var rest = text;
    var parts = needles.filter(function (n) { return n && n.length > 0; });
    while (rest.length) {
      var best = -1, hit = "";
      parts.forEach(function (n) {
        var i = rest.indexOf(n);
        if (i >= 0 && (best < 0 || i < best)) { best = i; hit = n; }
      });
      if (best < 0) { frag.appendChild(document.createTextNode(rest)); break; }
      frag.appendChild(document.createTextNode(rest.slice(0, best)));
      frag.appendChild(el("mark", { "class": "num" }, [hit]));
      rest = rest.slice(best + hit.length);
    }
    return frag;
  }

  function showPassage(d, s) {
    var box = $("passage");
    clear(box); box.hidden = false;
    box.appendChild(el("p", {}, ["正在打开 " + s.file + " 第 " + s.line + " 行…"]));
    var ref = encodeURIComponent(String(s.line));
    call("GET", "/api/documents/" + encodeURIComponent(s.doc_id || d.doc_id) + "/passages/" + ref).then(function (p) {
      clear(box);
      var shown = p.table || p.passage;
      var needles = (s.raw.match(/[0-9][0-9.,]*%?/g) || []).filter(function (n) { return n !== "=" ; });
      box.appendChild(el("h3", {}, [p.document.file + " 第 " + shown.line_start + "–" + shown.line_end + " 行" +
        (shown.section ? " · " + shown.section : "")]));
      p.before.forEach(function (c) { box.appendChild(el("pre", { "class": "ctx" }, [c.text])); });
      var pre = el("pre", { "data-cited": "true" });
      pre.appendChild(highlighted(shown.text, needles));
      box.appendChild(pre);
      p.after.forEach(function (c) { box.appendChild(el("pre", { "class": "ctx" }, [c.text])); });
      var marked = box.querySelector("mark");
      if (marked && marked.scrollIntoView) { marked.scrollIntoView({ block: "nearest" }); }
    }).catch(function (e) { clear(box); box.appendChild(el("p", { "class": "status error" }, [e.message])); });
  }

  $("load").addEventListener("click", loadDocs);
  $("upload").addEventListener("click", upload);
  $("reindex").addEventListener("click", reindex);
  loadDocs();
})();
