// Progressive enhancement for every public page; each part works without this script too.
(function () {
  "use strict";

  // A note marker [n] shows its note (source, paragraph, quote) on hover, keyboard focus or a
  // first tap; a second tap, or Enter, follows the link to the note as before.
  var preview = null;
  var shownFor = null;
  var lastPointer = "mouse";

  function hidePreview() {
    if (preview) { preview.remove(); }
    if (shownFor) { shownFor.removeAttribute("aria-describedby"); }
    preview = null;
    shownFor = null;
  }

  function showPreview(marker) {
    var note = document.getElementById(marker.hash.slice(1));
    var body = note && note.querySelector(".note-body");
    if (!body || shownFor === marker) { return; }
    hidePreview();
    preview = document.createElement("div");
    preview.className = "fn-preview";
    preview.id = "fn-preview";
    preview.setAttribute("role", "tooltip");
    var text = document.createElement("p");
    text.textContent = marker.textContent + " " + body.textContent.replace(/\s+/g, " ").trim();
    preview.appendChild(text);
    document.body.appendChild(preview);
    var box = marker.getBoundingClientRect();
    var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - preview.offsetWidth - 8);
    preview.style.left = Math.max(window.scrollX + 8, left) + "px";
    preview.style.top = box.bottom + window.scrollY + 6 + "px";
    marker.setAttribute("aria-describedby", "fn-preview");
    shownFor = marker;
  }

  // Whether the note was already showing when this tap began (focus shows it too, before the click).
  var shownBeforeTap = false;
  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType;
    shownBeforeTap = shownFor !== null && event.target.closest && event.target.closest(".fn a") === shownFor;
  }, true);
  document.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest(".fn a");
    if (marker && lastPointer === "touch" && !shownBeforeTap) {
      event.preventDefault();
      showPreview(marker);
    } else if (!marker) {
      hidePreview();
    }
  });
  document.addEventListener("mouseover", function (event) {
    var marker = event.target.closest && event.target.closest(".fn a");
    if (marker && lastPointer !== "touch") { showPreview(marker); }
  });
  document.addEventListener("mouseout", function (event) {
    var marker = event.target.closest && event.target.closest(".fn a");
    if (marker && lastPointer !== "touch") { hidePreview(); }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches(".fn a")) { showPreview(event.target); } else { hidePreview(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hidePreview(); }
  });

  // Landing on something inside a closed spoiler (a back link to a spoiler fact) opens it.
  function openTarget() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  // The search filters sit beside the results on wide screens, open; on phones they stay folded.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(min-width: 64rem)").matches) { filters.open = true; }

  // Printing shows every spoiler, labelled, in browsers whose print styles cannot open <details>.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details.spoiler:not([open])"), function (details) {
      details.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
