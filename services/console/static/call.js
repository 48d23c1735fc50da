// The register-call form (services/console/templates/call_new.html): the ring/answer timer, the
// fields the chosen category requires, and keys for a keyboard-only officer.
(function () {
  "use strict";

  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  // Alt+<key> clicks the element that declares it (aria-keyshortcuts): the same keys in every browser,
  // where accesskey's modifiers differ.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || !/^Key[A-Z]$/.test(e.code)) { return; }
    var target = document.querySelector('[aria-keyshortcuts="Alt+' + e.code.slice(3) + '"]');
    if (target) { e.preventDefault(); target.click(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("call-form");
    if (!form) { return; }
    var opened = document.getElementById("opened-at");
    var answered = document.getElementById("answered-at");
    var timer = document.getElementById("call-timer");
    // A new form rings from now on this browser's clock, as the answer will be timed on it (the
    // server's time stays when the form comes back with errors: the same call, the same times).
    if (form.dataset.fresh === "1") { opened.value = String(Date.now()); }

    function answer() {
      if (!answered.value) { answered.value = String(Date.now()); tick(); }
    }
    function tick() {
      var now = Date.now();
      if (answered.value) {
        timer.textContent = timer.dataset.talking + " " + clock(now - Number(answered.value));
        timer.classList.add("talking");
      } else {
        timer.textContent = timer.dataset.ringing + " " + clock(now - Number(opened.value));
      }
    }
    tick();
    setInterval(tick, 1000);
    var category = document.getElementById("f-category");
    // Alt+A as the phone is picked up: answered, and on to the category (a digit picks it).
    document.getElementById("answer").addEventListener("click", function () {
      answer();
      if (!category.value) { category.focus(); }
    });
    // Typing means the officer is talking to the caller: answered at the latest by then.
    form.addEventListener("input", answer);
    form.addEventListener("submit", answer);
    // Ctrl+Enter saves from a text area too (Enter in a one-line field already does).
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); answer(); form.requestSubmit(); }
    });

    // The chosen category's required fields are marked (intake's rule, rendered by the server).
    var required = JSON.parse(form.dataset.required || "{}");
    function mark() {
      var need = required[category.value] || [];
      form.querySelectorAll("[data-requires]").forEach(function (el) {
        el.classList.toggle("required", need.indexOf(el.dataset.requires) >= 0);
      });
    }
    category.addEventListener("change", mark);
    mark();
    // Sent back with violations: straight to the first field to correct.
    var invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });
})();
