// Drag and drop on the codebook (move a code under another, or merge it into another)
// and on the themes board (link a code to a theme, unlink it). Each drop makes one change
// through the same route as the page's forms, which remain the keyboard's way to do it.
(() => {
  "use strict";

  const change = (url, fields) => window.thematica.change(url, fields);
  let dragged = null;

  function start(event, element) {
    dragged = element;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", element.dataset.path || element.dataset.code);
    document.body.classList.add("dragging");
  }

  function end() {
    dragged = null;
    document.body.classList.remove("dragging");
    for (const over of document.querySelectorAll(".drop-here")) over.classList.remove("drop-here");
  }

  /** Let ``zone`` take the drop when ``accepts`` says so, marked while over it. */
  function target(event, zone, accepts) {
    if (!dragged || !zone || !accepts(zone)) return false;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    for (const over of document.querySelectorAll(".drop-here")) {
      if (over !== zone) over.classList.remove("drop-here");
    }
    zone.classList.add("drop-here");
    return true;
  }

  document.addEventListener("dragend", end);
  document.addEventListener("dragleave", (event) => {
    const zone = event.target.closest && event.target.closest(".drop-here");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-here");
  });

  // -- the codebook: drop a code on another, then choose move or merge ------------------

  const tree = document.getElementById("code-tree");
  if (tree) {
    const dialog = document.getElementById("drop-dialog");
    const top = document.getElementById("drop-top");
    const moveButton = document.getElementById("drop-move");
    const mergeButton = document.getElementById("drop-merge");
    let pair = null;

    const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;
    // A code may go under any code but itself and its own sub-codes.
    const fits = (row) => dragged && row !== dragged && !dragged.contains(row);

    tree.addEventListener("dragstart", (event) => {
      const row = event.target.closest(".code-row");
      if (row) start(event, row);
    });
    tree.addEventListener("dragover", (event) => {
      const line = event.target.closest(".code-line");
      target(event, line, (zone) => fits(zone.closest(".code-row")));
    });
    tree.addEventListener("drop", (event) => {
      const line = event.target.closest(".code-line");
      const row = line && line.closest(".code-row");
      if (!row || !fits(row)) return;
      event.preventDefault();
      choose(dragged, row);
      end();
    });
    top.addEventListener("dragover", (event) => {
      target(event, top, () => dragged.dataset.parent !== "");
    });
    top.addEventListener("drop", (event) => {
      if (!dragged || dragged.dataset.parent === "") return;
      event.preventDefault();
      const moving = dragged;
      end();
      change(`/codes/${moving.dataset.id}/move`, { parent: "", version: moving.dataset.version });
    });

    /** Ask what dropping ``a`` on ``b`` should do: each choice names both codes, and
     * merging says how many codings move. */
    function choose(a, b) {
      pair = { a, b };
      const [from, to] = [a.dataset.path, b.dataset.path];
      const codings = Number(a.dataset.codings);
      const subcodes = Number(a.dataset.subcodes);
      document.getElementById("drop-title").textContent = `“${a.dataset.name}” dropped on “${b.dataset.name}”`;
      moveButton.textContent = `Move “${from}” under “${to}”`;
      document.getElementById("drop-move-says").textContent =
        `It keeps its ${plural(codings, "coding")}` +
        (subcodes ? ` and its ${plural(subcodes, "sub-code")}.` : ".");
      mergeButton.textContent = `Merge “${from}” into “${to}”`;
      document.getElementById("drop-merge-says").textContent =
        `${plural(codings, "coding")} move to “${to}” (any that duplicates one of its ` +
        `codings is dropped)` +
        (subcodes ? `, ${plural(subcodes, "sub-code")} move under it` : "") +
        `, and “${a.dataset.name}” is deleted.`;
      for (const button of [moveButton, mergeButton]) button.disabled = false;
      dialog.showModal();
      moveButton.focus();
    }

    async function decide(url, fields) {
      for (const button of [moveButton, mergeButton]) button.disabled = true;
      const ok = await change(url, fields);
      if (!ok) dialog.close();
    }

    moveButton.addEventListener("click", () => {
      decide(`/codes/${pair.a.dataset.id}/move`, {
        parent: pair.b.dataset.path,
        version: pair.a.dataset.version,
      });
    });
    mergeButton.addEventListener("click", () => {
      decide(`/codes/${pair.a.dataset.id}/merge`, {
        into: pair.b.dataset.path,
        version: pair.a.dataset.version,
      });
    });
    document.getElementById("drop-cancel").addEventListener("click", () => dialog.close());
  }

  // -- the themes board: drop a code on a theme to link it, on the tray to unlink it ---

  const board = document.getElementById("board");
  if (board) {
    const tray = document.getElementById("code-tray");

    board.addEventListener("dragstart", (event) => {
      const chip = event.target.closest(".code-chip");
      if (chip) start(event, chip);
    });
    board.addEventListener("dragover", (event) => {
      const card = event.target.closest(".theme-card");
      if (card) {
        target(event, card, (zone) => dragged.dataset.from !== zone.dataset.theme);
      } else if (event.target.closest("#code-tray")) {
        target(event, tray, () => Boolean(dragged.dataset.from));
      }
    });
    board.addEventListener("drop", (event) => {
      if (!dragged) return;
      const chip = dragged;
      const card = event.target.closest(".theme-card");
      if (card && chip.dataset.from !== card.dataset.theme) {
        event.preventDefault();
        end();
        change("/themes/link", { theme: card.dataset.theme, code: chip.dataset.code });
      } else if (!card && event.target.closest("#code-tray") && chip.dataset.from) {
        event.preventDefault();
        end();
        change("/themes/unlink", { theme: chip.dataset.from, code: chip.dataset.code });
      }
    });
  }
})();
