// Staff console: send forms marked data-api to the JSON API with the session's CSRF token, show the
// result in place, and offer to undo. No framework, no build step; nothing here writes HTML.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function resultOf(form) {
    var own = form.querySelector(".result");
    if (own) { return own; }
    var box = form.parentElement && form.parentElement.closest("article, tr, section");
    return box ? box.querySelector(".result") : null;
  }

  function say(el, text, bad) {
    if (!el) { return; }
    el.textContent = text;
    el.className = "result " + (bad ? "bad" : "good");
  }

  function undoButton(el, auditId) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "undo";
    b.textContent = "撤销";
    b.addEventListener("click", function () {
      b.disabled = true;
      post("/api/history/" + encodeURIComponent(auditId) + "/undo").then(function (res) {
        if (res.ok) { say(el, "已撤销，刷新后问题回到队列。", false); }
        else { b.disabled = false; say(el, (res.data && res.data.error) || ("出错了（" + res.status + "）"), true); }
      });
    });
    el.appendChild(document.createTextNode(" "));
    el.appendChild(b);
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-api]")) { return; }
    ev.preventDefault();
    var body = {};
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "" && !(key in body)) { body[key] = value.trim(); }
    });
    var submitter = ev.submitter;
    if (submitter && submitter.name) { body[submitter.name] = submitter.value; }
    if (body.pair === "true") { body.pair = true; } else if (body.pair === "false") { body.pair = false; }
    if (form.dataset.ids) { body.ids = JSON.parse(form.dataset.ids); }
    var out = resultOf(form);
    var buttons = form.closest("article, tr, section") || form;
    var all = buttons.querySelectorAll("button");
    all.forEach(function (b) { b.disabled = true; });
    post(form.dataset.api, body).then(function (res) {
      if (res.ok) {
        say(out, res.data.message || "完成", false);
        var card = form.closest("article.item");
        if (card) { card.classList.add("done"); }
        if (res.data.audit && !form.dataset.api.match(/\/undo$/)) { undoButton(out, res.data.audit); }
        if (form.dataset.api.match(/\/undo$/)) { var row = form.closest("tr"); if (row) { row.classList.add("undone"); } }
      } else {
        all.forEach(function (b) { b.disabled = false; });
        say(out, (res.data && res.data.error) || ("出错了（" + res.status + "）"), true);
        var choice = res.status === 409 && res.data && res.data.followup && form.querySelector(".pair-choice");
        if (choice) {  // linked to the answer it followed: ask how, then the staff member links again
          choice.hidden = false;
          choice.querySelectorAll("input").forEach(function (i) { i.disabled = false; });
        }
      }
    }).catch(function () {
      all.forEach(function (b) { b.disabled = false; });
      say(out, "连不上管理台，请检查网络后重试。", true);
    });
  });
})();
