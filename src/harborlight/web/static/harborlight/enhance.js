// Small progressive enhancements; every page works without them.
// - select[data-filter]: a search box above a long select hides the options that do not
//   match what is typed (the label text comes from data-filter-label, translated by the
//   page, so nothing here is written in one language).
// - select[data-autosubmit]: choosing an option submits its form (a GET step such as
//   "who to refer to"); the form's own button stays for keyboards and no-script use.
(function () {
  "use strict";
  var counter = 0;

  function normalise(text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function addFilter(select) {
    var box = document.createElement("input");
    var label = document.createElement("label");
    counter += 1;
    box.type = "search";
    box.id = "select-filter-" + counter;
    box.className = "select-filter";
    box.setAttribute("autocomplete", "off");
    label.htmlFor = box.id;
    label.className = "select-filter-label";
    label.textContent = select.getAttribute("data-filter-label") || "";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = normalise(box.value.trim());
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var match = !wanted || normalise(option.textContent).indexOf(wanted) !== -1;
          option.hidden = !match;
          if (match) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    });
  }

  document.querySelectorAll("select[data-filter]").forEach(addFilter);
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value && select.form) { select.form.requestSubmit(); }
    });
  });
})();
