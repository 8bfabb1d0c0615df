// Small behaviours of the pages, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts: a select that submits its form, a print button, removing a member row.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
});
document.addEventListener("click", function (e) {
  var el = e.target.closest ? e.target.closest("[data-print], .remove-row") : null;
  if (!el) return;
  if (el.hasAttribute("data-print")) { window.print(); return; }
  var row = el.closest("fieldset");
  if (row) row.remove();
  var add = document.getElementById("add-member");
  if (add) add.focus();
});
// Phones: the header's menu collapses behind one button (without JavaScript it stays open).
(function () {
  var header = document.querySelector("header.top");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  header.classList.add("collapsible");
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
