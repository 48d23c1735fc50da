// The console's own script (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var AMBER_SECONDS = 600; // as services/console/board.py

  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var s = Math.abs(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var r = s % 60;
    return sign + h + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }

  // Deadlines count down every second, amber when close, red once passed.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown").forEach(function (el) {
      var left = Math.round((Date.parse(el.getAttribute("datetime")) - now) / 1000);
      el.textContent = format(left);
      el.classList.toggle("amber", left > 0 && left <= AMBER_SECONDS);
      el.classList.toggle("red", left <= 0);
      if (left <= 0) { el.setAttribute("title", el.dataset.overdue || ""); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    // Filters apply as soon as one is chosen (the button stays for keyboards and no script).
    document.querySelectorAll("select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    // htmx requests carry the session's CSRF token.
    var token = document.querySelector('meta[name="csrf-token"]');
    document.body.addEventListener("htmx:configRequest", function (e) {
      if (token) { e.detail.headers["X-CSRF-Token"] = token.getAttribute("content"); }
    });
    document.body.addEventListener("htmx:afterSwap", tick);
    var live = document.getElementById("live-status");
    if (live) {
      document.body.addEventListener("htmx:sseOpen", function () { live.classList.add("on"); });
      document.body.addEventListener("htmx:sseError", function () { live.classList.remove("on"); });
    }
  });
})();
