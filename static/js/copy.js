// Progressive enhancement for "Cite this fact": a Copy button. Without JavaScript the
// readonly textarea is still there to select and copy by hand, so the button starts hidden.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  var target = document.getElementById(button.dataset.copyTarget);
  if (!target || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(target.value).then(
      function () { button.textContent = "Copied"; },
      function () { target.select(); button.textContent = "Press Ctrl+C to copy"; }
    );
  });
});
