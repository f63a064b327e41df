/* 验收 by exception on the delivery page (procurement/delivery.html).
   Every line is taken as accepted in full; the user marks only the lines with rejects (quantity and reason).
   The marks live in one hidden field, `rejects` (a JSON list of {line, rejected, reason}), and in
   sessionStorage, so they survive paging and filtering; the request carries that one field, never a field
   per line. Without this script the untouched form posts an empty list: everything accepted. The server checks
   everything again (procurement/acceptances.py). */
(function () {
  "use strict";

  function storeKey(id) { return "qm-acceptance-" + id; }
  function forget(id) { try { window.sessionStorage.removeItem(storeKey(id)); } catch (e) { /* private mode */ } }

  var done = document.querySelector("[data-acceptance-of]");
  if (done) { forget(done.getAttribute("data-acceptance-of")); }

  var form = document.getElementById("accept-form");
  if (!form) { return; }
  var KEY = storeKey(form.getAttribute("data-delivery"));
  var field = document.getElementById("exc-field");
  var words = document.getElementById("exc-text");
  var dialog = document.getElementById("exc-dialog");
  var edit = document.getElementById("exc-edit");
  var panel = document.getElementById("exc-table");
  var none = document.getElementById("exc-none");
  var current = null; // the line being marked: {line, name, gender, sz, delivered}

  function word(name) { return words ? (words.getAttribute("data-" + name) || "") : ""; }

  function parse(text) {
    try {
      var data = JSON.parse(text || "[]");
      return Array.isArray(data) ? data.filter(function (e) { return e && typeof e === "object"; }) : [];
    } catch (e) { return []; }
  }

  function load() {
    if (field.value) { return parse(field.value); } // posted back (an error, "back"): what was sent is the truth
    try { return parse(window.sessionStorage.getItem(KEY)); } catch (e) { return []; }
  }

  var state = load();

  function find(line) {
    for (var i = 0; i < state.length; i++) { if (String(state[i].line) === String(line)) { return i; } }
    return -1;
  }

  function save() {
    var text = JSON.stringify(state);
    field.value = state.length ? text : "";
    try { window.sessionStorage.setItem(KEY, text); } catch (e) { /* private mode: the field still holds it */ }
    render();
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
    return td;
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function render() {
    var body = panel.tBodies[0];
    while (body.firstChild) { body.removeChild(body.firstChild); }
    state.forEach(function (e) {
      var tr = document.createElement("tr");
      tr.className = "warn";
      tr.setAttribute("data-reject-line", e.line);
      cell(tr, e.name || "");
      cell(tr, e.gender || "");
      cell(tr, e.sz || "", "mono");
      cell(tr, e.delivered != null ? String(e.delivered) : "", "n");
      cell(tr, String(e.rejected), "n");
      cell(tr, e.reason || "");
      var td = cell(tr, "");
      td.className = "actions";
      td.appendChild(button(word("edit"), function () { open(e); }));
      td.appendChild(button(word("remove"), function () { state.splice(find(e.line), 1); save(); }));
      body.appendChild(tr);
    });
    panel.hidden = state.length === 0;
    none.hidden = state.length !== 0;
    document.querySelectorAll("tr[data-id]").forEach(function (tr) {
      var i = find(tr.getAttribute("data-id"));
      var e = i >= 0 ? state[i] : null;
      var q = parseInt(tr.getAttribute("data-q"), 10);
      var got = tr.querySelector(".got");
      var exc = tr.querySelector(".exc");
      tr.classList.toggle("marked", !!e);
      if (got) { got.textContent = String(e ? q - e.rejected : q); }
      if (exc) { exc.textContent = e ? word("rejected") + " " + e.rejected + " · " + e.reason : ""; }
    });
  }

  function rowInfo(tr) {
    var group = tr.closest("tbody");
    return {
      line: parseInt(tr.getAttribute("data-id"), 10),
      name: group.getAttribute("data-name"),
      gender: group.getAttribute("data-gender"),
      sz: tr.getAttribute("data-size"),
      delivered: parseInt(tr.getAttribute("data-q"), 10)
    };
  }

  function open(info) {
    var i = find(info.line);
    var e = i >= 0 ? state[i] : null;
    current = info;
    document.getElementById("exc-title").textContent = [info.name, info.gender, info.sz].join(" ");
    document.getElementById("exc-shipped").textContent = String(info.delivered);
    edit.elements.quantity.value = e ? e.rejected : "";
    edit.elements.reason.value = e && e.reason ? e.reason : "";
    document.getElementById("exc-remove").hidden = !e;
    document.getElementById("exc-error").hidden = true;
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    edit.elements.quantity.focus();
  }

  function close() {
    if (dialog.close) { dialog.close(); } else { dialog.removeAttribute("open"); }
    current = null;
  }

  function fail(message) {
    var p = document.getElementById("exc-error");
    p.textContent = message;
    p.hidden = false;
  }

  edit.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!current) { return; }
    var raw = String(edit.elements.quantity.value).trim();
    var q = /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
    if (!(q >= 1) || q > current.delivered) { return fail(word("bad-quantity")); }
    var reason = edit.elements.reason.value.trim();
    if (!reason) { return fail(word("bad-reason")); }
    var entry = {
      line: current.line, rejected: q, reason: reason,
      name: current.name, gender: current.gender, sz: current.sz, delivered: current.delivered
    };
    var i = find(current.line);
    if (i >= 0) { state[i] = entry; } else { state.push(entry); }
    save();
    close();
  });
  document.getElementById("exc-cancel").addEventListener("click", close);
  document.getElementById("exc-remove").addEventListener("click", function () {
    var i = current ? find(current.line) : -1;
    if (i >= 0) { state.splice(i, 1); save(); }
    close();
  });

  document.querySelectorAll("table.marking button.mark").forEach(function (b) { b.hidden = false; });
  document.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button.mark") : null;
    if (b) { open(rowInfo(b.closest("tr"))); }
  });
  form.addEventListener("submit", function () { field.value = state.length ? JSON.stringify(state) : ""; });
  render();
})();
