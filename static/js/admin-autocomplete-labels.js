// The admin's autocomplete widgets (select2) give assistive technology no name: the
// combobox is labelled only by its selected value, which is empty on a new inline form,
// and a multi-select's search box has no label at all. Name each one from its field's
// own <label>, now and whenever select2 builds a widget later (a new inline row).
(function () {
  "use strict";

  function labelOf(select) {
    if (!select.id) {
      return null;
    }
    var label = document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label && !label.id) {
      label.id = select.id + "-label";
    }
    return label;
  }

  function nameWidget(select) {
    var container = select.nextElementSibling;
    var label = labelOf(select);
    if (!label || !container || !container.classList.contains("select2")) {
      return;
    }
    container.querySelectorAll(".select2-selection").forEach(function (selection) {
      var rendered = selection.querySelector(".select2-selection__rendered[id]");
      if (rendered && selection.classList.contains("select2-selection--single")) {
        rendered.setAttribute("aria-labelledby", label.id);
        selection.setAttribute("aria-labelledby", label.id + " " + rendered.id);
      } else {
        selection.setAttribute("aria-labelledby", label.id);
      }
    });
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      field.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(nameWidget);
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  });
})();
