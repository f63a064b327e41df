/* Transfer to a county (distribution/transfer.html). The lines come filled with what the county still needs;
   the user changes only the ones that differ. Those changes live in one hidden field, `changes` (a JSON
   list of {item, gender, size, quantity}), so the request never carries a field per line. Without this
   script the untouched form posts no changes: the suggestion is sent as it is. The server checks
   everything again (distribution/transfers.py). */
(function () {
  "use strict";
  var form = document.getElementById("transfer-form");
  if (!form) { return; }
  var field = document.getElementById("transfer-changes");
  var total = document.getElementById("transfer-total");
  var filter = document.getElementById("transfer-filter");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-suggested]"));

  function key(el) { return [el.dataset.item, el.dataset.gender, el.dataset.size].join("|"); }

  var posted = {};
  try {
    (JSON.parse(field.value || "[]") || []).forEach(function (c) {
      posted[[c.item, c.gender, c.size].join("|")] = c.quantity;
    });
  } catch (e) { posted = {}; }
  inputs.forEach(function (el) { if (key(el) in posted) { el.value = posted[key(el)]; } });

  function update() {
    var changes = [], sum = 0;
    inputs.forEach(function (el) {
      var q = parseInt(el.value, 10);
      if (isNaN(q) || q < 0) { q = 0; }
      sum += q;
      if (String(q) !== el.dataset.suggested) {
        changes.push({ item: el.dataset.item, gender: el.dataset.gender, size: el.dataset.size, quantity: q });
      }
    });
    field.value = changes.length ? JSON.stringify(changes) : "";
    if (total) { total.textContent = sum.toLocaleString(); }
  }

  inputs.forEach(function (el) { el.addEventListener("input", update); });
  if (filter) {
    filter.addEventListener("change", function () {
      var v = filter.value;
      form.querySelectorAll("tr[data-item]").forEach(function (row) {
        row.hidden = Boolean(v) && row.dataset.item !== v;
      });
    });
  }
  update();
})();
