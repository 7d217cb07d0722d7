// The source workbench: turn the editor's text selection into the offsets of the source it shows.
//
// Each paragraph's text sits in a .wb-passage element whose data-start is the paragraph's
// offset in the source. Its text nodes are exactly the source's characters (escaped by the
// server), except the ↩ back-links after cited passages, which are skipped. So the offset of
// a selection boundary is data-start plus the characters of the text nodes before it. The
// server checks the offsets again (trivia/services/drafting.py) before anything is cited.
(function () {
  "use strict";

  function isBacklink(node) {
    var parent = node.parentElement;
    return Boolean(parent && parent.closest(".backlinks"));
  }

  // Characters of source text in `passage` before the boundary point (node, offset).
  function charactersBefore(passage, node, offset) {
    var boundary = document.createRange();
    boundary.setStart(node, offset);
    boundary.collapse(true);
    var walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
    var count = 0;
    var text;
    while ((text = walker.nextNode())) {
      if (isBacklink(text)) {
        continue;
      }
      if (text === node) {
        return count + offset;
      }
      if (boundary.comparePoint(text, text.data.length) > 0) {
        break; // this text node ends after the boundary: the boundary is before it
      }
      count += text.data.length;
    }
    return count;
  }

  function sourceText(passage) {
    var walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
    var parts = [];
    var text;
    while ((text = walker.nextNode())) {
      if (!isBacklink(text)) {
        parts.push(text.data);
      }
    }
    return parts.join("");
  }

  // {start, end, quote, paragraph} of the selection in source offsets, or null.
  function selectedPassage(passages) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var start = null;
    var end = null;
    var paragraph = null;
    var quote = "";
    passages.forEach(function (passage) {
      if (!range.intersectsNode(passage)) {
        return;
      }
      var base = Number(passage.dataset.start);
      var whole = sourceText(passage);
      var from = passage.contains(range.startContainer)
        ? charactersBefore(passage, range.startContainer, range.startOffset)
        : 0;
      var to = passage.contains(range.endContainer)
        ? charactersBefore(passage, range.endContainer, range.endOffset)
        : whole.length;
      if (to <= from) {
        return;
      }
      if (start === null) {
        start = base + from;
        paragraph = passage.dataset.paragraph;
      } else {
        // A passage over a paragraph break: the characters between the two paragraphs count too.
        quote += "\n\n";
      }
      end = base + to;
      quote += whole.slice(from, to);
    });
    if (start === null) {
      return null;
    }
    // Leave out spaces picked up at either end of the selection.
    var leading = quote.length - quote.replace(/^\s+/, "").length;
    var trailing = quote.length - quote.replace(/\s+$/, "").length;
    if (leading + trailing >= quote.length) {
      return null;
    }
    return { start: start + leading, end: end - trailing, quote: quote.trim(), paragraph: paragraph };
  }

  function shorten(text, width) {
    var flat = text.replace(/\s+/g, " ");
    return flat.length <= width ? flat : flat.slice(0, width - 1) + "…";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("wb-selection");
    var passages = Array.prototype.slice.call(document.querySelectorAll(".wb-passage[data-start]"));
    var target = document.querySelector(".wb-paragraph.is-target");
    if (target && !window.location.hash) {
      target.scrollIntoView();
    }
    if (!panel || passages.length === 0) {
      return;
    }
    var form = panel.querySelector("form");
    var summary = panel.querySelector(".wb-selection-summary");
    var pending = null;

    function update() {
      pending = null;
      var passage = selectedPassage(passages);
      if (!passage) {
        // Moving to the panel's button (by keyboard or pointer) must not lose the selection made.
        if (!panel.contains(document.activeElement)) {
          panel.hidden = true;
        }
        return;
      }
      form.elements.cite_start.value = String(passage.start);
      form.elements.cite_end.value = String(passage.end);
      summary.textContent =
        "Selected in paragraph " + passage.paragraph + " (characters " + passage.start + "–" + passage.end +
        "): “" + shorten(passage.quote, 140) + "”";
      panel.hidden = false;
    }

    document.addEventListener("selectionchange", function () {
      if (pending === null) {
        pending = window.setTimeout(update, 120);
      }
    });
    form.addEventListener("submit", function (event) {
      if (pending !== null) {
        window.clearTimeout(pending);
        update();
      }
      if (!form.elements.cite_start.value || !form.elements.cite_end.value) {
        event.preventDefault();
      }
    });
  });
})();
