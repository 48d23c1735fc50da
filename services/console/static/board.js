// The board's live rows: /board/rows sends each changed incident as its rendered row ("row") or its
// id when it leaves the board ("gone"); the row is swapped in where the server's order puts it
// (data-order), so one change costs one row, never the whole table. The countdowns tick in console.js.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (!board || !window.EventSource) { return; }
    var body = document.getElementById("board-rows");
    var table = document.getElementById("board-table");
    var empty = document.getElementById("board-empty");
    var live = document.getElementById("live-status");
    var parser = document.createElement("template");

    function order(row) { return parseFloat(row.dataset.order); }

    // Binary search: the rows are kept sorted by data-order (the nearest deadline first).
    function place(row) {
      var rows = body.rows;
      var key = order(row);
      var lo = 0;
      var hi = rows.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (order(rows[mid]) <= key) { lo = mid + 1; } else { hi = mid; }
      }
      body.insertBefore(row, rows[lo] || null);
    }

    function shown() {
      var any = body.rows.length > 0;
      table.hidden = !any;
      empty.hidden = any;
    }

    function remove(id) {
      var old = document.getElementById("incident-" + id);
      if (old) { old.remove(); }
    }

    var stream = new EventSource(board.dataset.stream);
    stream.addEventListener("open", function () { if (live) { live.classList.add("on"); } });
    stream.addEventListener("error", function () { if (live) { live.classList.remove("on"); } });
    stream.addEventListener("row", function (e) {
      parser.innerHTML = e.data;
      var row = parser.content.querySelector("tr[data-incident]");
      if (!row) { return; }
      remove(row.dataset.incident);
      place(row);
      shown();
    });
    stream.addEventListener("gone", function (e) {
      remove(e.data);
      shown();
    });
    // The token expired or the services refused: reconnecting would not help, signing in again does.
    stream.addEventListener("end", function (e) {
      var code = JSON.parse(e.data).code;
      if (code === "UNAUTHENTICATED" || code === "PERMISSION_DENIED") {
        stream.close();
        if (live) { live.classList.remove("on"); }
      }
    });
  });
})();
