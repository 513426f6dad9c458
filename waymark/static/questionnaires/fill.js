/* Keeps the answers on the current page if the page reloads before "Next" is pressed
   (sessionStorage: gone when the tab closes, so nothing lingers on a shared phone).
   Answers already sent are kept on the server; this only covers the page being filled.
   Also updates the "n of N answered" count as the person answers. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var storeKey = "waymark:questionnaire:" + form.dataset.draftKey;
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }

  function values() {
    var found = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf("a-") !== 0 && el.name.indexOf("c-") !== 0) { return; }
      if (el.type === "radio") { if (el.checked) { found[el.name] = el.value; } }
      else if (el.value !== "") { found[el.name] = el.value; }
    });
    return found;
  }

  function restore() {
    if (!store) { return; }
    var saved;
    try { saved = JSON.parse(store.getItem(storeKey) || "{}"); } catch (e) { return; }
    var current = values();
    Object.keys(saved).forEach(function (name) {
      if (current[name] !== undefined) { return; }  // the server's answer wins
      var fields = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(fields, function (el) {
        if (el.type === "radio") { el.checked = el.value === saved[name]; }
        else { el.value = saved[name]; }
      });
    });
  }

  function count() {
    var text = document.querySelector("[data-answered-text]");
    if (!text) { return; }
    var before = parseInt(form.dataset.answeredBefore, 10) || 0;
    var total = parseInt(form.dataset.total, 10) || 0;
    var answeredHere = 0;
    Array.prototype.forEach.call(form.querySelectorAll("[data-question]"), function (q) {
      var filled = q.querySelector("input:checked") ||
        Array.prototype.some.call(q.querySelectorAll("input[type=number]"), function (i) { return i.value !== ""; });
      if (filled && q.querySelector("[name^='a-']")) { answeredHere += 1; }
    });
    var initialHere = parseInt(form.dataset.answeredHere || "-1", 10);
    if (initialHere < 0) { form.dataset.answeredHere = String(answeredHere); initialHere = answeredHere; }
    var shown = Math.min(total, before - initialHere + answeredHere);
    text.textContent = shown + " of " + total + " questions answered";
  }

  form.dataset.answeredHere = "-1";
  count();  // the baseline: what the server already had on this page
  restore();
  count();
  form.addEventListener("change", function () {
    if (store) { try { store.setItem(storeKey, JSON.stringify(values())); } catch (e) { /* full */ } }
    count();
  });
  form.addEventListener("submit", function () { if (store) { store.removeItem(storeKey); } });
  var errors = document.getElementById("q-errors");
  if (errors) { errors.focus(); }
})();
