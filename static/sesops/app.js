// htmx leaves the page as it was when a request fails (4xx/5xx or no network): say so, in
// place, instead of a button that silently does nothing.
(function () {
  "use strict";
  function show(text) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403
      ? "Not allowed: your role cannot do this, or the page is too old (reload it and try again)."
      : "The server could not complete the request (HTTP " + status + "). Nothing was changed; try again.";
    show(text);
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server cannot be reached. Check the connection; the page will catch up once it is back.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = document.getElementById("htmx-error");
    if (box && event.detail.successful && !box.hidden) box.hidden = true;
  });
})();
