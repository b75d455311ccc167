// Qualipref's only script (progressive enhancement): a character counter for long text fields, fields required for one choice only, and the counter tablets' restart.
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
  // A counter tablet (surveys' kiosk pages): after so many seconds without a touch, a key or a scroll, the survey
  // starts again, blank, and the page it leaves is replaced in the history, so "back" shows nothing of it.
  var kiosk = document.querySelector("[data-qp-kiosk-restart]");
  if (kiosk) {
    var seconds = parseInt(kiosk.getAttribute("data-qp-kiosk-restart"), 10);
    var restart = function () { window.location.replace(kiosk.getAttribute("data-qp-kiosk-url")); };
    var timer = window.setTimeout(restart, seconds * 1000);
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
      window.addEventListener(name, function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(restart, seconds * 1000);
      }, { passive: true, capture: true });
    });
    // Coming back to a kiosk page from the browser's cache (bfcache) would show its last answers: start again.
    window.addEventListener("pageshow", function (event) { if (event.persisted) restart(); });
  }
  var errors = document.getElementById("rate-limited") || document.getElementById("form-errors");
  if (errors) errors.focus();
})();
