/* Small behaviours shared by the pages, without inline scripts:
   <form data-confirm="question"> asks before it is sent (for changes that are hard to undo);
   <form data-changes-only> sends only what the user changed: a <fieldset> of one row goes whole or not at
   all, other fields one by one, empty file inputs never. A long form (a station's survey) then posts a few
   fields instead of several per row; without scripts the whole form is sent and works the same. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    /* <button data-confirm="question">: asks only when that button sends the form */
    var button = event.submitter;
    if (button && button.dataset && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  /* <select data-autosubmit>: choosing sends the form (inline handlers are refused by the CSP) */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.dataset && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  function changed(el) {
    if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
    if (el.type === "file") return !!(el.files && el.files.length);
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  function sendable(el) {
    return el.name && !el.disabled && el.type !== "hidden" && el.type !== "submit" && el.tagName !== "BUTTON";
  }

  function off(el) {
    el.disabled = true;
    el.setAttribute("data-qm-off", "");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-changes-only")) return;
    var rows = form.querySelectorAll("fieldset");
    Array.prototype.forEach.call(rows, function (row) {
      var fields = Array.prototype.filter.call(row.elements, sendable);
      var keep = fields.some(changed);
      fields.forEach(function (el) {
        if (!keep || (el.type === "file" && !changed(el))) off(el);
      });
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (sendable(el) && !el.closest("fieldset") && !changed(el)) off(el);
    });
  });

  // back to the page from the browser's history: the fields switched off for sending are fields again
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-qm-off]"), function (el) {
      el.disabled = false;
      el.removeAttribute("data-qm-off");
    });
  });
})();
