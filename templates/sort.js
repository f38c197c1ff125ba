/*
 * sort.js - sort a table.sortable by a column: its header becomes a
 * button; a click sorts the rows by that column, a second click reverses
 * them. The page works as well without it: the rows are already in the
 * report's reading order, and nothing else depends on the script.
 *
 * A cell sorts by its data-sort attribute when it has one (the number
 * behind "0.3822 at epoch 20", a verdict's rank), else by its text; a
 * column whose values are all numbers sorts as numbers; empty cells go
 * last either way, and equal cells keep their order.
 */
(function () {
    "use strict";

    function value(cell) {
        var v;

        if (!cell)
            return "";
        v = cell.getAttribute("data-sort");
        return (v !== null ? v : cell.textContent).trim();
    }

    function isNumber(s) {
        return s !== "" && isFinite(Number(s));
    }

    function sortBy(table, th, col) {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        var keyed = rows.map(function (row, i) {
            return { row: row, v: value(row.cells[col]), i: i };
        });
        var numeric = keyed.every(function (k) {
            return k.v === "" || isNumber(k.v);
        });

        keyed.sort(function (a, b) {
            var c;

            if (a.v === "" || b.v === "")
                return (a.v === "") - (b.v === "") || a.i - b.i;
            if (numeric)
                c = Number(a.v) - Number(b.v);
            else
                c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
            return dir * c || a.i - b.i;
        });
        keyed.forEach(function (k) {
            body.appendChild(k.row);
        });
        Array.prototype.forEach.call(th.parentNode.cells, function (h) {
            h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    }

    Array.prototype.forEach.call(
        document.querySelectorAll("table.sortable"), function (table) {
            if (!table.tHead || !table.tBodies.length)
                return;
            Array.prototype.forEach.call(table.tHead.rows[0].cells,
                function (th, col) {
                    var button = document.createElement("button");

                    button.type = "button";
                    button.className = "sort";
                    button.title = "Sort by this column";
                    while (th.firstChild)
                        button.appendChild(th.firstChild);
                    th.appendChild(button);
                    button.addEventListener("click", function () {
                        sortBy(table, th, col);
                    });
                });
        });
}());
