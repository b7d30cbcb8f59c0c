"use strict";
(function () {
  function showHop(hop) {
    var route = hop.closest(".route");
    route.querySelectorAll(".hop").forEach(function (h) {
      h.classList.toggle("selected", h === hop);
      h.setAttribute("aria-pressed", h === hop ? "true" : "false");
    });
    route.querySelectorAll(".panel").forEach(function (p) {
      p.hidden = p.id !== hop.getAttribute("data-panel");
    });
  }
  document.querySelectorAll(".hop").forEach(function (hop) {
    hop.addEventListener("click", function () { showHop(hop); });
    hop.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showHop(hop); }
    });
  });
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.parentNode.querySelector("pre").textContent;
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else {
        fallback(text);
        done();
      }
    });
  });
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    area.remove();
  }
  var filters = document.querySelectorAll(".filters input");
  function applyFilters() {
    var shown = {};
    filters.forEach(function (f) { shown[f.value] = f.checked; });
    document.querySelectorAll("#findings tbody tr").forEach(function (row) {
      row.hidden = !shown[row.getAttribute("data-status")];
    });
  }
  filters.forEach(function (f) { f.addEventListener("change", applyFilters); });
  applyFilters();
})();
