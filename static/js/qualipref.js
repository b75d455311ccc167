// Qualipref's only script: a character counter for long text fields (progressive enhancement).
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
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
