// Thematica: behaviour shared by every page. No inline scripts anywhere (the page's
// Content-Security-Policy forbids them); htmx sends the CSRF token with every change
// (hx-headers on <body>) and this file shows what a failed change said.
(() => {
  "use strict";

  const errorBox = () => document.getElementById("error");
  const flashBox = () => document.getElementById("flash");

  function showError(message) {
    const box = errorBox();
    if (box) box.textContent = message;
    const flash = flashBox();
    if (flash) flash.textContent = "";
  }

  // A change that failed left the database as it was, so htmx swaps nothing and the
  // screen stays as it was; say why it failed.
  document.addEventListener("htmx:beforeRequest", () => {
    const box = errorBox();
    if (box) box.textContent = "";
  });
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    showError(xhr.responseText || `The server answered ${xhr.status}.`);
  });
  document.addEventListener("htmx:sendError", () => {
    showError("Could not reach the Thematica server: is `thematica serve` still running?");
  });

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
    );
  }

  // Ctrl+Z (Cmd+Z): undo the last change, wherever focus is outside a text field.
  document.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "z" || !(event.ctrlKey || event.metaKey) || event.shiftKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const form = document.getElementById("undo-form");
    const button = document.getElementById("undo-button");
    if (form && button && !button.disabled) {
      event.preventDefault();
      form.requestSubmit(button);
    }
  });

  /** Send one change as a form, from a script (a drop, say) rather than a form: on
   * success load this page again (it shows the change and the server's message); on
   * failure nothing changed, so say why and leave the screen as it is. */
  async function change(url, fields) {
    const box = errorBox();
    if (box) box.textContent = "";
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: {
          "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
          "HX-Request": "true",
        },
        credentials: "same-origin",
      });
    } catch {
      showError("Could not reach the Thematica server: is `thematica serve` still running?");
      return false;
    }
    if (!response.ok) {
      showError((await response.text()) || `The server answered ${response.status}.`);
      return false;
    }
    window.location.reload();
    return true;
  }

  window.thematica = Object.assign(window.thematica || {}, { showError, typing, change });
})();

// One-key decisions: a form with data-keys submits through its button whose data-key is
// the key pressed, when focus is not in a text field (the consensus queue).
(() => {
  "use strict";
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    const form = document.querySelector("form[data-keys]");
    if (!form || window.thematica.typing(event.target) || document.querySelector("dialog[open]")) return;
    // While a decision is on its way, or its answer is being swapped in, a key would
    // land on the old item's buttons: wait for the next item.
    if (document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")) return;
    const button = form.querySelector(`button[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });
})();
