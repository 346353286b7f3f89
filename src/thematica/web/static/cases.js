// Thematica's cases screen. Each attribute cell is a form that htmx sends on change
// (see cases_cell.html); this file puts a refused cell back and reads a spec file.
(() => {
  "use strict";

  const cellForm = (element) =>
    element instanceof Element ? element.closest("form.cell") : null;

  // The server refused the value (app.js shows its one line in #error) or could not be
  // reached: nothing changed, so the cell goes back to the value the page was drawn
  // with, which is what the database holds.
  const putBack = (event) => {
    const form = cellForm(event.detail.elt);
    if (form) form.reset();
  };
  document.addEventListener("htmx:responseError", putBack);
  document.addEventListener("htmx:sendError", putBack);

  // Escape in a cell drops what was typed there.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const form = cellForm(event.target);
    if (form) {
      event.preventDefault();
      form.reset();
    }
  });

  // A spec file chosen on this computer is read into the spec's text box; nothing is
  // sent until the form is saved. Without script, paste the file's text instead.
  const picker = document.getElementById("spec-file");
  const text = document.getElementById("spec-text");
  if (picker && text) {
    picker.closest("[hidden]")?.removeAttribute("hidden");
    picker.addEventListener("change", async () => {
      const file = picker.files && picker.files[0];
      if (!file) return;
      text.value = await file.text();
      text.focus();
    });
  }
})();
