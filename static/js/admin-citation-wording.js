// "Use the source's wording" on a citation whose quote almost matches the source: put the
// source's words into the quote box, in place. Without JavaScript the button submits the
// form and the server does the same (trivia/admin/forms.py, CitationForm).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.use-source-wording");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.dataset.quoteField);
    if (!field) {
      return; // let the form submit: the server applies the wording
    }
    event.preventDefault();
    field.value = button.value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var note = document.createElement("span");
    note.className = "use-source-wording-done";
    note.setAttribute("role", "status");
    note.textContent = "The quote now has the source's wording; save to cite it.";
    button.replaceWith(note);
    field.focus();
  });
})();
