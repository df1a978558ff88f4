/* pop3spec report script: embedded into every HTML report (src/report/embed_assets.cmake). Filters by outcome,
   search, expand/collapse, opening a linked scenario, and a self-check that the totals shown equal the scenarios
   listed (a mismatch is logged as a console error, which the Chromium test fails on). */
(function () {
  "use strict";
  var body = document.body;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-item]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var search = document.getElementById("q");
  var onlyDiff = document.getElementById("only-diff");
  var shown = document.getElementById("shown");
  var filter = "all";

  function matchesFilter(el) {
    var o = el.getAttribute("data-outcome");
    if (filter === "all") return true;
    if (filter === "problems") return o === "fail" || o === "error" || o === "warn";
    if (filter === "known") return el.getAttribute("data-known") === "1";
    return o === filter;
  }

  function apply() {
    var q = search ? search.value.trim().toLowerCase() : "";
    var n = 0;
    items.forEach(function (el) {
      var visible = matchesFilter(el);
      if (visible && q) visible = (el.getAttribute("data-search") || "").indexOf(q) !== -1;
      if (visible && onlyDiff && onlyDiff.checked) visible = el.getAttribute("data-differs") === "1";
      el.hidden = !visible;
      if (visible) n++;
    });
    if (shown) shown.textContent = n + " of " + items.length + " shown";
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      filter = b.getAttribute("data-filter");
      buttons.forEach(function (x) { x.setAttribute("aria-pressed", x === b ? "true" : "false"); });
      apply();
    });
  });
  if (search) search.addEventListener("input", apply);
  if (onlyDiff) onlyDiff.addEventListener("change", apply);

  function setAll(open) {
    items.forEach(function (el) { if (el.tagName === "DETAILS" && !el.hidden) el.open = open; });
  }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) expand.addEventListener("click", function () { setAll(true); });
  if (collapse) collapse.addEventListener("click", function () { setAll(false); });

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el || el.tagName !== "DETAILS") return;
    if (el.hidden) {
      filter = "all";
      buttons.forEach(function (x) { x.setAttribute("aria-pressed", x.getAttribute("data-filter") === "all" ? "true" : "false"); });
      if (search) search.value = "";
      if (onlyDiff) onlyDiff.checked = false;
      apply();
    }
    el.open = true;
    el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", openTarget);

  // Self-check: the totals printed in the tiles must equal the scenarios on the page.
  var tiles = Array.prototype.slice.call(document.querySelectorAll(".tile[data-outcome]"));
  tiles.forEach(function (t) {
    var outcome = t.getAttribute("data-outcome");
    var claimed = parseInt(t.getAttribute("data-count"), 10);
    var counted = outcome === "total" ? items.length
      : items.filter(function (el) { return el.getAttribute("data-outcome") === outcome; }).length;
    if (claimed !== counted) console.error("pop3spec report: tile " + outcome + " says " + claimed + " but the page lists " + counted);
  });

  apply();
  openTarget();
  body.setAttribute("data-js-ready", "1");
})();
