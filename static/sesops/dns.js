// Copy buttons of the DNS records table: [data-copy] copies its value, [data-copy-target]
// the text of the element with that id. One delegated listener, safe to load many times.
(function () {
  if (window.sesopsDnsCopy) return;
  window.sesopsDnsCopy = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-target]");
    if (!button) return;
    var text = button.dataset.copy;
    if (text === undefined) {
      var target = document.getElementById(button.dataset.copyTarget);
      text = target ? target.textContent : "";
    }
    if (!navigator.clipboard) return; // plain HTTP: the text stays selectable by hand
    navigator.clipboard.writeText(text).then(function () {
      var label = button.textContent;
      button.textContent = "Copied ✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
})();
