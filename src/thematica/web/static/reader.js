// The source reader: selections as canonical offsets, coding stripes, the code palette,
// memos, keyboard coding, playing the recording from a turn's time, and (with the assist
// extra) "More like this" and suggested codes.
//
// Offsets. The server counts spans in Unicode code points over the canonical text;
// JavaScript strings count UTF-16 code units, where an emoji is two. Every element of
// class "blk" holds exactly source[data-start:data-end], so an offset is the block's
// data-start plus the code points between the block's start and the point. Nothing
// else in this file may turn a string length into an offset.
(() => {
  "use strict";

  const reader = document.getElementById("reader");
  if (!reader) return;
  const transcript = document.getElementById("transcript");
  const wrap = document.getElementById("transcript-wrap");
  const stripes = document.getElementById("stripes");
  const info = document.getElementById("sel-info");
  const palette = document.getElementById("palette");
  const input = document.getElementById("palette-input");
  const paletteSel = document.getElementById("palette-sel");
  const memoDialog = document.getElementById("memo-dialog");
  const memoForm = document.getElementById("memo-form");
  const memoSel = document.getElementById("memo-sel");
  const memoError = document.getElementById("memo-error");
  const helpDialog = document.getElementById("help-dialog");
  const memoTitle = document.getElementById("memo-title");
  const player = document.getElementById("media");
  const source = reader.dataset.source;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const layer = () => document.getElementById("panel").dataset.layer;
  const highlights = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined";

  // -- code points ---------------------------------------------------------------------

  /** The number of code points in a string (a surrogate pair counts once). */
  function cpLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) n++;
    }
    return n;
  }

  /** The UTF-16 index of code point ``cp`` of ``s``. */
  function utf16At(s, cp) {
    let i = 0;
    while (cp > 0 && i < s.length) {
      const c = s.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
      cp--;
    }
    return i;
  }

  const blocks = Array.from(transcript.querySelectorAll(".blk"), (el) => ({
    el,
    start: Number(el.dataset.start),
    end: Number(el.dataset.end),
    text: el.textContent,
    astral: /[\ud800-\udfff]/.test(el.textContent),
  }));
  const byElement = new Map(blocks.map((b) => [b.el, b]));
  const turns = Array.from(transcript.querySelectorAll(".turn"));

  /** Index of the last block starting at or before ``cp`` (-1 if none). */
  function blockAt(cp) {
    let lo = 0;
    let hi = blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (blocks[mid].start <= cp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The canonical offset of a DOM boundary point. */
  function pointToOffset(node, offset) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const blockEl = element && element.closest(".blk");
    const block = blockEl && byElement.get(blockEl);
    if (block) {
      const range = document.createRange();
      range.setStart(block.el, 0);
      range.setEnd(node, offset);
      return block.start + cpLength(range.toString());
    }
    // Between blocks (on a turn's edge, say): the start of the next block.
    for (const b of blocks) {
      const range = document.createRange();
      range.selectNodeContents(b.el);
      if (range.comparePoint(node, offset) <= 0) return b.start;
    }
    return blocks.length ? blocks[blocks.length - 1].end : 0;
  }

  /** The code point at offset ``cp`` of a block. */
  function charAt(b, cp) {
    const rel = cp - b.start;
    if (!b.astral) return b.text[rel];
    const i = utf16At(b.text, rel);
    return String.fromCodePoint(b.text.codePointAt(i));
  }

  /** ``[start, end)`` less the whitespace at either end and between blocks. */
  function trimSpan(start, end) {
    let i = Math.max(blockAt(start), 0);
    if (blocks[i] && start >= blocks[i].end) i++;
    while (i < blocks.length && start < end) {
      const b = blocks[i];
      if (start < b.start) start = b.start;
      if (start >= b.end) {
        i++;
        continue;
      }
      if (!/\s/u.test(charAt(b, start))) break;
      start++;
    }
    let j = blockAt(end - 1);
    while (j >= 0 && end > start) {
      const b = blocks[j];
      if (end > b.end) end = b.end;
      if (end <= b.start) {
        j--;
        continue;
      }
      if (!/\s/u.test(charAt(b, end - 1))) break;
      end--;
    }
    return end > start ? { start, end } : null;
  }

  /** A DOM point for offset ``cp``; in a gap between blocks, the nearer block edge in
   * the direction the range runs. */
  function offsetToPoint(cp, atEnd) {
    let i = blockAt(cp);
    if (i < 0) {
      i = 0;
      cp = blocks[0].start;
    }
    let b = blocks[i];
    if (cp > b.end) {
      if (!atEnd && i + 1 < blocks.length) {
        b = blocks[i + 1];
        cp = b.start;
      } else cp = b.end;
    }
    const text = b.el.firstChild;
    if (!text) return [b.el, 0];
    const rel = cp - b.start;
    return [text, b.astral ? utf16At(b.text, rel) : rel];
  }

  function rangeFor(start, end) {
    const range = document.createRange();
    range.setStart(...offsetToPoint(start, false));
    range.setEnd(...offsetToPoint(end, true));
    return range;
  }

  function spanOfRange(range) {
    const whole = document.createRange();
    whole.selectNodeContents(transcript);
    if (!range.intersectsNode(transcript) || !blocks.length) return null;
    const start =
      whole.comparePoint(range.startContainer, range.startOffset) < 0
        ? blocks[0].start
        : pointToOffset(range.startContainer, range.startOffset);
    const end =
      whole.comparePoint(range.endContainer, range.endOffset) > 0
        ? blocks[blocks.length - 1].end
        : pointToOffset(range.endContainer, range.endOffset);
    return trimSpan(start, end);
  }

  // -- the pending selection ---------------------------------------------------------

  let pending = null;

  function quoteOf(span, width = 90) {
    const words = rangeFor(span.start, span.end).toString().replace(/\s+/g, " ").trim();
    return words.length > width ? `${words.slice(0, width - 1)}…` : words;
  }

  function describe(span) {
    return `[${span.start}, ${span.end}): “${quoteOf(span)}” (${span.end - span.start} characters)`;
  }

  function setPending(span) {
    pending = span;
    const on = Boolean(span);
    for (const id of ["btn-code", "btn-invivo", "btn-memo", "btn-suggest"]) {
      const button = document.getElementById(id);
      if (button) button.disabled = !on;
    }
    for (const button of document.querySelectorAll(".apply-recent")) button.disabled = !on;
    info.textContent = on
      ? `Selected ${describe(span)}. C: code · 1–9: recent code · V: in vivo · M: memo`
      : "Nothing selected. Select text with the mouse, or move between turns with ↑ and ↓ and press Enter (a turn) or S (a sentence).";
    if (highlights) {
      if (on) CSS.highlights.set("pending", new Highlight(rangeFor(span.start, span.end)));
      else CSS.highlights.delete("pending");
    }
  }

  function dialogOpen() {
    return document.querySelector("dialog[open]") !== null;
  }

  document.addEventListener("selectionchange", () => {
    if (dialogOpen()) return;
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(transcript)) return;
    if (range.collapsed) {
      if (transcript.contains(range.startContainer)) setPending(null);
      return;
    }
    const span = spanOfRange(range);
    if (span) setPending(span);
  });

  function clearSelection() {
    const selection = document.getSelection();
    if (selection) selection.removeAllRanges();
    setPending(null);
  }

  // -- turns and sentences -------------------------------------------------------------

  function speechOf(turn) {
    return byElement.get(turn.querySelector(".speech"));
  }

  function focusTurn(index) {
    const turn = turns[Math.max(0, Math.min(index, turns.length - 1))];
    if (!turn) return;
    for (const t of turns) t.tabIndex = t === turn ? 0 : -1;
    turn.focus({ preventScroll: true });
    turn.scrollIntoView({ block: "nearest" });
  }

  function currentTurn() {
    return turns.find((t) => t.tabIndex === 0) || turns[0];
  }

  function selectTurn(turn) {
    const b = speechOf(turn);
    if (b) setPending(trimSpan(b.start, b.end));
  }

  const segmenter =
    typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter(document.documentElement.lang || undefined, { granularity: "sentence" })
      : null;

  function sentences(b) {
    const found = [];
    const parts = segmenter
      ? Array.from(segmenter.segment(b.text), (s) => [s.index, s.segment])
      : Array.from(b.text.matchAll(/[^.!?]+[.!?]*\s*/g), (m) => [m.index, m[0]]);
    for (const [index, words] of parts) {
      const start = b.start + cpLength(b.text.slice(0, index));
      const span = trimSpan(start, start + cpLength(words));
      if (span) found.push(span);
    }
    return found;
  }

  function selectSentence(turn, step) {
    const b = speechOf(turn);
    if (!b) return;
    const list = sentences(b);
    if (!list.length) return;
    let index;
    if (pending && pending.start >= b.start && pending.end <= b.end) {
      index =
        step > 0
          ? list.findIndex((s) => s.start >= pending.end)
          : list.findLastIndex((s) => s.end <= pending.start);
      if (index < 0) index = step > 0 ? 0 : list.length - 1;
    } else index = step > 0 ? 0 : list.length - 1;
    setPending(list[index]);
  }

  function extendToNextTurn(turn) {
    const index = turns.indexOf(turn);
    const next = turns[index + 1];
    if (!next) return;
    const b = speechOf(next);
    const start = pending ? pending.start : speechOf(turn).start;
    setPending(trimSpan(start, b.end));
    focusTurn(index + 1);
  }

  transcript.addEventListener("keydown", (event) => {
    const turn = event.target.closest && event.target.closest(".turn");
    if (!turn || event.ctrlKey || event.metaKey || event.altKey) return;
    const index = turns.indexOf(turn);
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        if (event.shiftKey) extendToNextTurn(turn);
        else focusTurn(index + 1);
        break;
      case "j":
        focusTurn(index + 1);
        break;
      case "ArrowUp":
      case "k":
        focusTurn(index - 1);
        break;
      case "Home":
        focusTurn(0);
        break;
      case "End":
        focusTurn(turns.length - 1);
        break;
      case "Enter":
      case " ":
        selectTurn(turn);
        break;
      case "s":
        selectSentence(turn, 1);
        break;
      case "S":
        selectSentence(turn, -1);
        break;
      case "p":
        if (!player || turn.dataset.time === undefined) return;
        playFrom(Number(turn.dataset.time));
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });

  transcript.addEventListener("focusin", (event) => {
    const turn = event.target.closest && event.target.closest(".turn");
    if (turn) for (const t of turns) t.tabIndex = t === turn ? 0 : -1;
  });

  // -- talking to the server -------------------------------------------------------------

  function announce(message) {
    const flash = document.getElementById("flash");
    flash.textContent = message;
    document.getElementById("error").textContent = "";
  }

  function showError(message) {
    window.thematica.showError(message);
    if (memoDialog.open) memoError.textContent = message;
    if (assistDialog && assistDialog.open) assistError.textContent = message;
  }

  // Each change sent makes a new generation: a panel read before it (by the live
  // updates below) may miss the change, so it is not put in place.
  let generation = 0;
  let sending = 0;

  /** Put the panel, palette, recent codes, undo button and colours the server sent in
   * place of the ones on the page. */
  function swapIn(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const focused = document.activeElement;
    for (const element of Array.from(template.content.children)) {
      const old = element.id && document.getElementById(element.id);
      if (!old) continue;
      if (element.id === "codes-css" && old.getAttribute("href") === element.getAttribute("href")) {
        continue;
      }
      old.replaceWith(element);
    }
    // Focus on a button of the old panel moves to the same button in the new one.
    if (focused && !document.contains(focused) && focused.id) {
      const same = document.getElementById(focused.id);
      if (same) same.focus({ preventScroll: true });
    }
    setPending(pending);
    drawStripes();
  }

  /** Send a change. On failure the database is as it was: say why, and read the panel
   * again so the screen shows what the database holds. */
  async function send(method, url, fields) {
    document.getElementById("error").textContent = "";
    generation++;
    sending++;
    let response;
    let text;
    try {
      response = await fetch(url, {
        method,
        body: method === "DELETE" ? null : new URLSearchParams(fields),
        headers: { "X-CSRF-Token": csrf, "X-Thematica": "fetch" },
        credentials: "same-origin",
      });
      text = await response.text();
    } catch {
      showError("Could not reach the Thematica server: is `thematica serve` still running?");
      return false;
    } finally {
      sending--;
    }
    if (!response.ok) {
      showError(text || `The server answered ${response.status}.`);
      await refreshPanel();
      return false;
    }
    swapIn(text);
    const message = response.headers.get("x-message");
    if (message) announce(decodeURIComponent(message));
    reader.dispatchEvent(new CustomEvent("thematica:changed", { detail: { message } }));
    return true;
  }

  async function refreshPanel() {
    const query = new URLSearchParams({ coder: layer() });
    const at = generation;
    try {
      const response = await fetch(`/panel/${encodeURIComponent(source)}?${query}`, {
        headers: { "X-Thematica": "fetch" },
      });
      const html = response.ok ? await response.text() : null;
      if (html !== null && at === generation) swapIn(html);
    } catch {
      /* the error shown already says the server is unreachable */
    }
  }

  function alreadyCoded(path, span) {
    return Array.from(document.querySelectorAll("#codings .coding")).some(
      (li) =>
        li.dataset.path === path &&
        li.dataset.coder === reader.dataset.actor &&
        Number(li.dataset.start) === span.start &&
        Number(li.dataset.end) === span.end,
    );
  }

  async function applyCode(fields) {
    if (!pending) return;
    if (fields.code && alreadyCoded(fields.code, pending)) {
      announce(`Already coded [${pending.start}, ${pending.end}) as “${fields.code}”.`);
      return;
    }
    await send("POST", "/codings", {
      source,
      start: pending.start,
      end: pending.end,
      layer: layer(),
      ...fields,
    });
  }

  // -- the palette -------------------------------------------------------------------------

  let visible = [];
  let active = -1;
  let returnFocus = null;

  function optionsList() {
    return document.getElementById("palette-list");
  }

  function setActive(index) {
    for (const option of optionsList().querySelectorAll('[role="option"]')) {
      option.setAttribute("aria-selected", "false");
    }
    active = index;
    const option = visible[index];
    if (option) {
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else input.setAttribute("aria-activedescendant", "");
  }

  function filterPalette() {
    const wanted = input.value.trim();
    const query = wanted.toLowerCase();
    visible = [];
    let exact = false;
    const create = optionsList().querySelector('[data-new="true"]');
    for (const option of optionsList().querySelectorAll('[role="option"]:not([data-new])')) {
      const path = option.dataset.path.toLowerCase();
      const show = !query || path.includes(query);
      option.hidden = !show;
      if (show) visible.push(option);
      if (path === query || path.split("/").pop() === query) exact = true;
      option.querySelector(".key").textContent = "";
    }
    create.hidden = !query || exact;
    if (!create.hidden) {
      create.querySelector(".new-name").textContent = wanted;
      visible.push(create);
    }
    if (!query) visible.slice(0, 9).forEach((o, i) => (o.querySelector(".key").textContent = `${i + 1}`));
    setActive(visible.length ? 0 : -1);
  }

  function openPalette() {
    if (!pending || dialogOpen()) return;
    returnFocus = document.activeElement;
    input.value = "";
    paletteSel.textContent = `Selected ${describe(pending)}`;
    palette.showModal();
    filterPalette();
    input.focus();
  }

  function closeDialog(dialog) {
    if (dialog.open) dialog.close();
  }

  function restoreFocus() {
    let target = returnFocus;
    // The panel is drawn again after a change: focus the new element of the same id.
    if (target && !document.contains(target) && target.id) target = document.getElementById(target.id);
    if (target && document.contains(target)) target.focus({ preventScroll: true });
    returnFocus = null;
  }

  palette.addEventListener("close", restoreFocus);

  function choose(option) {
    if (!option) return;
    const fields = option.dataset.new ? { new_code: input.value.trim() } : { code: option.dataset.path };
    closeDialog(palette);
    applyCode(fields);
  }

  input.addEventListener("input", filterPalette);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      setActive(Math.min(active + 1, visible.length - 1));
    } else if (event.key === "ArrowUp") {
      setActive(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      choose(visible[active]);
    } else if (/^[1-9]$/.test(event.key) && input.value === "") {
      choose(visible[Number(event.key) - 1]);
    } else return;
    event.preventDefault();
  });
  palette.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) choose(option);
  });

  // -- memos ---------------------------------------------------------------------------------

  // The memo dialog writes a new memo on the selection, or edits the memo ``editing``.
  let editing = null;

  function showMemoDialog(heading, where) {
    returnFocus = document.activeElement;
    memoTitle.textContent = heading;
    memoSel.textContent = where;
    memoError.textContent = "";
    memoDialog.showModal();
    document.getElementById("memo-text").focus();
  }

  function openMemo() {
    if (!pending || dialogOpen()) return;
    if (editing !== null) memoForm.reset(); // not the words of the memo edited last
    editing = null;
    showMemoDialog(memoTitle.dataset.new, `On ${describe(pending)}`);
  }

  function editMemo(item) {
    if (dialogOpen()) return;
    editing = item.dataset.id;
    memoForm.elements.title.value = item.dataset.title;
    memoForm.elements.text.value = item.querySelector(".memo-text").textContent;
    const where = item.dataset.start === undefined
      ? "On the whole source"
      : `On ${describe({ start: Number(item.dataset.start), end: Number(item.dataset.end) })}`;
    showMemoDialog(`Edit memo ${editing}`, where);
  }

  function deleteMemo(item) {
    const next = item.nextElementSibling || item.previousElementSibling;
    const nextId = next && next.dataset.id;
    const query = new URLSearchParams({ source, layer: layer() });
    send("DELETE", `/memos/${item.dataset.id}?${query}`).then((ok) => {
      const focus = ok && nextId && document.getElementById(`edit-memo-${nextId}`);
      if (focus) focus.focus();
    });
  }

  memoDialog.addEventListener("close", restoreFocus);
  document.getElementById("memo-cancel").addEventListener("click", () => closeDialog(memoDialog));
  memoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(memoForm);
    const fields = { source, layer: layer(), title: data.get("title"), text: data.get("text") };
    let ok;
    if (editing !== null) {
      const id = editing;
      ok = await send("POST", `/memos/${id}/edit`, fields);
      if (ok) returnFocus = document.getElementById(`edit-memo-${id}`);
    } else {
      if (!pending) return;
      ok = await send("POST", "/memos", { ...fields, start: pending.start, end: pending.end });
    }
    if (ok) {
      memoForm.reset();
      editing = null;
      closeDialog(memoDialog);
    }
  });

  // -- assisted coding: more like this, suggested codes -----------------------------------

  // The dialog is on the page only with the assist extra. Its lists come from the server
  // through htmx, which also asks again every second while the model loads and focuses
  // the button the server marks (autofocus); its forms are sent from here, so that the
  // panel and stripes are drawn again as after any coding.
  const assistDialog = document.getElementById("assist-dialog");
  const assistBody = document.getElementById("assist-body");
  const assistError = document.getElementById("assist-error");
  const assistStatus = document.getElementById("assist-status");

  function loadAssist(url) {
    assistError.textContent = "";
    window.htmx.ajax("GET", url, { source: assistBody, target: assistBody, swap: "innerHTML" });
  }

  function openAssist(title, query) {
    if (!assistDialog || dialogOpen()) return;
    returnFocus = document.activeElement;
    document.getElementById("assist-title").textContent = title;
    assistStatus.textContent = "";
    assistBody.replaceChildren();
    assistDialog.showModal();
    loadAssist(`${query}&reader=${encodeURIComponent(source)}`);
  }

  function moreLike(item) {
    const query = new URLSearchParams({ coding: item.dataset.id, coder: layer() });
    openAssist(`More like “${item.dataset.path}”`, `/assist/similar?${query}`);
  }

  function suggestCodes() {
    if (!pending) return;
    const query = new URLSearchParams({
      source,
      start: pending.start,
      end: pending.end,
      coder: layer(),
    });
    openAssist("Suggested codes", `/assist/suggest?${query}`);
  }

  if (assistDialog) {
    assistDialog.addEventListener("close", () => {
      assistBody.replaceChildren(); // a list still loading stops asking
      restoreFocus();
    });
    assistBody.addEventListener("htmx:responseError", (event) => {
      const xhr = event.detail.xhr;
      assistError.textContent = xhr.responseText || `The server answered ${xhr.status}.`;
    });
    assistBody.addEventListener("htmx:sendError", () => {
      assistError.textContent = "Could not reach the Thematica server: is `thematica serve` still running?";
    });
  }

  /** Accept a passage or apply a suggested code: one POST, one change. A list of similar
   * passages is read again (the one accepted is coded now), with the focus on the
   * passage that took its place; suggestions close. */
  async function acceptSuggestion(form) {
    const fields = Object.fromEntries(new FormData(form));
    const ok = await send("POST", form.action, fields);
    if (!ok) return;
    if (form.dataset.after === "close") {
      closeDialog(assistDialog);
      return;
    }
    assistStatus.textContent = document.getElementById("flash").textContent;
    const list = assistBody.querySelector(".assist-results");
    if (list) loadAssist(`${list.dataset.url}&focus=${form.dataset.rank}`);
  }

  // -- the recording ---------------------------------------------------------------------

  function clock(seconds) {
    const whole = Math.floor(seconds);
    const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }

  /** Play the attached recording from ``seconds``; the server answers range requests,
   * so the player fetches only what it needs from there. */
  function playFrom(seconds) {
    if (!player) return;
    player.currentTime = seconds;
    announce(`Playing from ${clock(seconds)}.`);
    const playing = player.play();
    if (playing) {
      playing.catch((error) => {
        if (error.name !== "AbortError") showError(`The recording did not play: ${error.message}`);
      });
    }
  }

  if (player) {
    player.addEventListener("error", () => {
      showError("The recording could not be loaded: attach it again with `thematica sources media`.");
    });
  }

  // -- stripes -------------------------------------------------------------------------------

  const LANE = 10;
  const MAX_MARGIN = 200;

  /** The line box at offset ``cp``: a collapsed range there is far cheaper to measure
   * than the whole span, whose box needs every line between. */
  function lineAt(cp, atEnd) {
    const range = document.createRange();
    const [node, offset] = offsetToPoint(cp, atEnd);
    range.setStart(node, offset);
    range.collapse(true);
    const rects = range.getClientRects();
    return rects.length ? rects[atEnd ? rects.length - 1 : 0] : null;
  }

  /** Top and bottom (viewport pixels) of the lines a span covers. */
  function extent(start, end) {
    const first = lineAt(start, false);
    const last = lineAt(Math.max(start, end), true);
    if (first && last && last.bottom > first.top) return [first.top, last.bottom];
    const box = rangeFor(start, end).getBoundingClientRect();
    return [box.top, box.bottom];
  }

  function drawStripes() {
    performance.mark("thematica:stripes-start");
    const items = document.querySelectorAll("#codings .coding");
    const lanes = document.querySelectorAll("#legend li").length;
    const lane = lanes * LANE > MAX_MARGIN ? Math.max(5, Math.floor(MAX_MARGIN / lanes)) : LANE;
    const top = stripes.getBoundingClientRect().top;
    const fragment = document.createDocumentFragment();
    for (const item of items) {
      const [upper, lower] = extent(Number(item.dataset.start), Number(item.dataset.end));
      if (!(lower > upper)) continue;
      const stripe = document.createElement("div");
      stripe.className = `stripe code-${item.dataset.codeId}`;
      stripe.style.top = `${upper - top}px`;
      stripe.style.height = `${Math.max(lower - upper, 4)}px`;
      stripe.style.left = `${Number(item.dataset.lane) * lane}px`;
      stripe.style.width = `${Math.max(lane - 2, 3)}px`;
      stripe.title = `${item.dataset.path} (${item.dataset.coder}) [${item.dataset.start}, ${item.dataset.end})`;
      stripe.dataset.id = item.dataset.id;
      fragment.append(stripe);
    }
    stripes.style.width = `${Math.max(lanes * lane, 12)}px`;
    stripes.replaceChildren(fragment);
    reader.dataset.stripes = String(stripes.childElementCount);
    performance.measure("thematica:stripes", "thematica:stripes-start");
  }

  function showSpan(start, end, select) {
    const range = rangeFor(start, end);
    const box = range.getBoundingClientRect();
    const node = range.startContainer.parentElement;
    if (node) node.scrollIntoView({ block: "center" });
    if (box && highlights) CSS.highlights.set("hover", new Highlight(range));
    if (select) setPending(trimSpan(start, end));
  }

  function codingItem(id) {
    return document.getElementById(`coding-${id}`);
  }

  stripes.addEventListener("mouseover", (event) => {
    const stripe = event.target.closest(".stripe");
    if (!stripe) return;
    const item = codingItem(stripe.dataset.id);
    if (!item) return;
    if (highlights) {
      CSS.highlights.set("hover", new Highlight(rangeFor(Number(item.dataset.start), Number(item.dataset.end))));
    }
    for (const li of document.querySelectorAll("#legend li")) {
      li.classList.toggle("active", li.dataset.lane === item.dataset.lane);
    }
  });
  stripes.addEventListener("mouseleave", () => {
    if (highlights) CSS.highlights.delete("hover");
    for (const li of document.querySelectorAll("#legend li.active")) li.classList.remove("active");
  });
  stripes.addEventListener("click", (event) => {
    const stripe = event.target.closest(".stripe");
    const item = stripe && codingItem(stripe.dataset.id);
    if (!item) return;
    item.scrollIntoView({ block: "nearest" });
    item.querySelector(".show-coding").focus();
    setPending(trimSpan(Number(item.dataset.start), Number(item.dataset.end)));
  });

  // -- the panel's buttons (delegated: the panel is replaced after each change) ------------

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.classList.contains("remove-coding")) {
      const item = target.closest(".coding");
      const next = item && (item.nextElementSibling || item.previousElementSibling);
      const nextId = next && next.dataset.id;
      const query = new URLSearchParams({ source, layer: layer() });
      send("DELETE", `/codings/${target.dataset.id}?${query}`).then((ok) => {
        const focus = nextId && codingItem(nextId);
        if (ok && focus) focus.querySelector(".remove-coding").focus();
      });
    } else if (target.classList.contains("show-coding")) {
      const item = target.closest(".coding");
      showSpan(Number(item.dataset.start), Number(item.dataset.end), true);
    } else if (target.classList.contains("show-span")) {
      showSpan(Number(target.dataset.start), Number(target.dataset.end), true);
    } else if (target.classList.contains("edit-memo")) {
      editMemo(target.closest(".memo"));
    } else if (target.classList.contains("delete-memo")) {
      deleteMemo(target.closest(".memo"));
    } else if (target.classList.contains("more-like")) {
      moreLike(target.closest(".coding"));
    } else if (target.classList.contains("play")) {
      playFrom(Number(target.dataset.time));
    } else if (target.classList.contains("apply-recent")) {
      applyCode({ code: target.dataset.path });
    } else if (target.id === "btn-code") {
      openPalette();
    } else if (target.id === "btn-invivo") {
      applyCode({ in_vivo: "true" });
    } else if (target.id === "btn-memo") {
      openMemo();
    } else if (target.id === "btn-suggest") {
      suggestCodes();
    } else if (target.id === "help-button") {
      helpDialog.showModal();
    }
  });

  document.addEventListener("submit", (event) => {
    if (!event.target.classList.contains("assist-accept")) return;
    event.preventDefault();
    acceptSuggestion(event.target);
  });

  // Undo answers with the panel here, instead of loading the page again.
  document.addEventListener("submit", async (event) => {
    if (event.target.id !== "undo-form") return;
    event.preventDefault();
    const ok = await send("POST", "/undo", { source, layer: layer() });
    if (ok && /edit source text|anonymis/i.test(document.getElementById("flash").textContent)) {
      window.location.reload(); // the text itself changed back
    }
  });

  // -- keys anywhere on the reader -----------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (window.thematica.typing(event.target) || dialogOpen()) return;
    const key = event.key;
    let handled = true;
    if (key === "c" || key === "/") openPalette();
    else if (key === "v") {
      if (pending) applyCode({ in_vivo: "true" });
    } else if (key === "m") openMemo();
    else if (key === "g" && assistDialog) suggestCodes();
    else if (/^[1-9]$/.test(key)) {
      const button = document.querySelectorAll(".apply-recent")[Number(key) - 1];
      if (button && pending) applyCode({ code: button.dataset.path });
    } else if (key === "Escape") clearSelection();
    else if (key === "?") helpDialog.showModal();
    else if (key === "t" && !event.target.closest(".turn")) focusTurn(turns.indexOf(currentTurn()));
    else handled = false;
    if (handled) event.preventDefault();
  });

  // -- live: other people's changes ----------------------------------------------------------

  // Every few seconds the page asks whether the panel would look different now (a
  // small answer: see /live in routes.py), and reads the panel again only when it
  // would. The transcript itself is never replaced; the panel waits while a dialog is
  // open (the palette's list is part of it), a change is on its way, or the mouse is
  // down making a selection. A hidden tab does not ask.
  const LIVE_EVERY_MS = 3000;
  let pointerDown = false;
  transcript.addEventListener("pointerdown", () => (pointerDown = true));
  document.addEventListener("pointerup", () => (pointerDown = false));
  document.addEventListener("pointercancel", () => (pointerDown = false));

  function busy() {
    return dialogOpen() || sending > 0 || pointerDown;
  }

  async function askLive() {
    const panel = document.getElementById("panel");
    const query = new URLSearchParams({ coder: layer(), since: panel.dataset.live });
    let response;
    try {
      response = await fetch(`/live/${encodeURIComponent(source)}?${query}`, {
        headers: { "X-Thematica": "fetch" },
      });
    } catch {
      return true; // the server may be restarting: ask again later
    }
    if (response.status === 204) return true;
    if (!response.ok) {
      // The session ended, the role was taken away, or the source is gone: say so once
      // and stop asking.
      showError((await response.text()) || `The server answered ${response.status}.`);
      return false;
    }
    const answer = await response.json();
    if (!answer.changed) panel.dataset.live = answer.live;
    else if (!busy()) await refreshPanel(); // the new panel carries its own token
    return true;
  }

  function scheduleLive() {
    window.setTimeout(async () => {
      const going = document.hidden || busy() ? true : await askLive();
      if (going) scheduleLive();
    }, LIVE_EVERY_MS);
  }

  // -- start -----------------------------------------------------------------------------------

  let resizing = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(drawStripes);
  });

  drawStripes();
  scheduleLive();
  const at = /^#span-(\d+)-(\d+)$/.exec(window.location.hash);
  if (at) showSpan(Number(at[1]), Number(at[2]), true);
  reader.dataset.ready = "true";
  performance.mark("thematica:ready");
  window.thematica = Object.assign(window.thematica || {}, {
    reader: { cpLength, pointToOffset, rangeFor, spanOfRange, get pending() { return pending; } },
  });
})();
