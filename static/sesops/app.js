// sesops' page behaviour, one file, no inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- htmx errors: htmx leaves the page as it was when a request fails (4xx/5xx or no
  // network): say so, in place, instead of a button that silently does nothing.
  function showError(text) {
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
    showError(text);
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server cannot be reached. Check the connection; the page will catch up once it is back.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = document.getElementById("htmx-error");
    if (box && event.detail.successful && !box.hidden) box.hidden = true;
  });

  // --- the top bar's Menu button (narrow windows): toggles the links, Escape closes them.
  function setMenu(open) {
    var bar = document.querySelector(".topbar");
    var button = document.querySelector(".nav-toggle");
    if (!bar || !button) return;
    bar.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function menuOpen() {
    var bar = document.querySelector(".topbar");
    return !!bar && bar.classList.contains("nav-open");
  }

  // --- the grid's popovers (<details> in a cell): one open at a time; Escape or a click
  // outside closes it. The reasons are fetched by htmx on the first open.
  var POPOVER = "td.cell details";
  function closePopovers(except) {
    document.querySelectorAll(POPOVER + "[open]").forEach(function (el) {
      if (el !== except) el.open = false;
    });
  }
  // The popover opens in the table's flow: as wide as the grid's visible part beside the
  // sticky identity column allows, and that part scrolled so the popover is in view.
  function fitPopover(details) {
    var scroller = details.closest(".grid-scroll");
    var popover = details.querySelector(".popover");
    var row = details.closest("tr");
    var sticky = row && row.querySelector(".identity-cell");
    if (!scroller || !popover || !sticky) return;
    var room = scroller.clientWidth - sticky.offsetWidth - 24;
    popover.style.width = Math.max(180, Math.min(352, room)) + "px";
    var cell = details.closest("td").getBoundingClientRect();
    var box = scroller.getBoundingClientRect();
    var right = cell.left + popover.offsetWidth + 16;
    if (right > box.right) {
      scroller.scrollLeft += Math.min(right - box.right, cell.left - sticky.getBoundingClientRect().right);
    }
  }
  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el.matches && el.matches(POPOVER) && el.open) {
      closePopovers(el);
      fitPopover(el);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (toggle) { setMenu(!menuOpen()); return; }
    if (menuOpen() && !event.target.closest(".topnav")) setMenu(false);
    var inside = event.target.closest(POPOVER);
    closePopovers(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector(POPOVER + "[open]");
    if (open) {
      open.open = false;
      var summary = open.querySelector("summary");
      if (summary) summary.focus();
    }
    if (menuOpen()) {
      setMenu(false);
      var button = document.querySelector(".nav-toggle");
      if (button) button.focus();
    }
  });

  // --- Back/Forward: htmx restores a snapshot of the page, whose form controls show what
  // the page was first rendered with, not the URL's filters; the URL is the truth.
  function syncFiltersToUrl() {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form[data-url-filters]").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (control) {
        if (!control.name || control.type === "hidden" || control.type === "submit") return;
        var value = params.get(control.name);
        if (control.type === "checkbox" || control.type === "radio") {
          control.checked = value !== null && value === control.value;
        } else {
          control.value = value === null ? "" : value;
        }
      });
    });
  }
  document.addEventListener("htmx:historyRestore", syncFiltersToUrl);
  window.addEventListener("popstate", function () { setTimeout(syncFiltersToUrl, 0); });
  window.addEventListener("pageshow", syncFiltersToUrl);
  // --- "Resend verification in 4:59": count the cooldown down, then give the button back.
  function label(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? m + ":" + (s < 10 ? "0" : "") + s : s + " s";
  }
  function startCountdowns(root) {
    (root || document).querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.counting) return;
      el.dataset.counting = "1";
      var left = parseInt(el.dataset.countdown, 10) || 0;
      var deadline = Date.now() + left * 1000;
      el.textContent = label(left);
      var timer = setInterval(function () {
        var now = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        if (!document.body.contains(el)) { clearInterval(timer); return; }
        if (now > 0) { el.textContent = label(now); return; }
        clearInterval(timer);
        var button = el.closest("button");
        if (button) { button.disabled = false; button.removeAttribute("title"); button.textContent = "Resend verification"; }
        document.querySelectorAll("#identity-regions button[disabled]").forEach(function (b) {
          if (b.textContent.indexOf("Resend here") !== -1) b.disabled = false;
        });
      }, 1000);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { startCountdowns(document); });
  } else {
    startCountdowns(document);
  }
  document.addEventListener("htmx:afterSettle", function () { startCountdowns(document); });
})();
