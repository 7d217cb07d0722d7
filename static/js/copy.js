// Progressive enhancement for "Cite this fact": a Copy button under each style. Without
// JavaScript the text is still there to select and copy by hand, so the buttons start hidden.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  var target = document.getElementById(button.dataset.copyTarget);
  if (!target || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText("value" in target ? target.value : target.textContent).then(
      function () { button.textContent = "Copied"; },
      function () {
        if (target.select) { target.select(); }
        button.textContent = "Press Ctrl+C to copy";
      }
    );
  });
});
