/* Small behaviours shared by the pages, without inline scripts:
   <form data-confirm="question"> asks before it is sent (for changes that are hard to undo). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
})();
