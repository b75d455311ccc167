// Qualipref's only script (progressive enhancement): a character counter for long text fields, and fields required for one choice only.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fr";
  function label(left) {
    if (lang === "en") return left + (left === 1 ? " character left" : " characters left");
    return left + (left > 1 ? " caractères restants" : " caractère restant");
  }
  document.querySelectorAll("textarea[data-qp-counter]").forEach(function (field) {
    var max = parseInt(field.getAttribute("data-qp-counter"), 10);
    var counter = document.getElementById(field.name + "-counter");
    if (!counter || !max) return;
    counter.hidden = false;
    var update = function () { counter.textContent = label(Math.max(0, max - field.value.length)); };
    field.addEventListener("input", update);
    update();
  });
  // Fields required for one choice only (data-qp-required-when="kind=complaint"): their "(optional)" mark and
  // required state follow the choice; the server rendered them right for the choice the page opened with.
  document.querySelectorAll("[data-qp-required-when]").forEach(function (field) {
    var rule = field.getAttribute("data-qp-required-when").split("=");
    var choices = field.form ? field.form.querySelectorAll('input[name="' + rule[0] + '"]') : [];
    var mark = document.querySelector('[data-qp-optional-for="' + field.id + '"]');
    var update = function () {
      var chosen = field.form.querySelector('input[name="' + rule[0] + '"]:checked');
      var required = !!chosen && chosen.value === rule[1];
      field.required = required;
      if (mark) mark.hidden = required;
    };
    choices.forEach(function (choice) { choice.addEventListener("change", update); });
    if (choices.length) update();
  });
  var errors = document.getElementById("rate-limited") || document.getElementById("form-errors");
  if (errors) errors.focus();
})();
