// The anonymisation review screen: move between the proposals in the text and decide
// about the current one with one key. The server draws the text and the panel for the
// current proposal; moving only changes which one is current (and the forms' offsets),
// and each decision is one request whose answer htmx swaps in for the whole screen.
(() => {
  "use strict";

  const STATUS = {
    pending: "pending: not decided yet",
    accepted: "accepted",
    rejected: "rejected: the words stay",
  };

  const root = () => document.getElementById("review");
  const marks = () => Array.from(document.querySelectorAll("#review-text .proposal"));
  const current = () => document.querySelector("#review-text .proposal.current");
  const busy = () => document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling");

  function show(id, text) {
    const element = document.getElementById(id);
    if (element) element.textContent = text;
  }

  // Make ``mark`` the current proposal: the one the panel describes, the keys decide
  // about and Tab reaches (a roving tabindex: one proposal in the tab order, not 300).
  function choose(mark, focus = true) {
    const review = root();
    if (!review || !mark) return;
    for (const other of marks()) {
      other.classList.remove("current");
      other.removeAttribute("aria-current");
      other.tabIndex = -1;
    }
    mark.classList.add("current");
    mark.setAttribute("aria-current", "true");
    mark.tabIndex = 0;
    const data = mark.dataset;
    review.dataset.current = data.start;
    for (const input of review.querySelectorAll("input[name=start]")) input.value = data.start;
    for (const input of review.querySelectorAll("input[name=end]")) input.value = data.end;
    const others = Number(data.others);
    show("current-number", data.number);
    show("current-words", data.words);
    show("current-label", data.label);
    show("current-status", STATUS[data.status] + (data.status === "pending" ? "" : ` (${data.alike})`));
    show("current-placeholder", data.placeholder || "— (the words stay)");
    show("current-others", `${others} other place${others === 1 ? "" : "s"}`);
    show("current-found", data.found);
    const typed = document.getElementById("placeholder-input");
    if (typed) typed.value = data.placeholder;
    history.replaceState(null, "", `?at=${data.start}`);
    if (focus) {
      mark.focus({ preventScroll: true });
      mark.scrollIntoView({ block: "nearest" });
    }
  }

  function step(offset) {
    const all = marks();
    const at = all.indexOf(current());
    return all[Math.min(all.length - 1, Math.max(0, at + offset))];
  }

  function nextPending() {
    const all = marks();
    const at = all.indexOf(current());
    const later = all.slice(at + 1).concat(all.slice(0, at + 1));
    return later.find((mark) => mark.dataset.status === "pending");
  }

  document.addEventListener("click", (event) => {
    const mark = event.target instanceof Element && event.target.closest("#review-text .proposal");
    if (!mark) return;
    event.preventDefault();
    choose(mark);
  });

  document.addEventListener("keydown", (event) => {
    if (!root() || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.id === "placeholder-input") {
      if (event.key === "Escape") {
        event.preventDefault();
        choose(current());
      }
      return;
    }
    if (window.thematica.typing(target) || document.querySelector("dialog[open]")) return;
    const onMark = target instanceof Element && target.classList.contains("proposal");
    let go = null;
    switch (event.key) {
      case "j":
        go = step(1);
        break;
      case "k":
        go = step(-1);
        break;
      case "n":
        go = nextPending();
        break;
      case "ArrowDown":
      case "ArrowRight":
        if (onMark) go = step(1);
        break;
      case "ArrowUp":
      case "ArrowLeft":
        if (onMark) go = step(-1);
        break;
      case "Home":
        if (onMark) go = marks()[0];
        break;
      case "End":
        if (onMark) go = marks().at(-1);
        break;
      case "p": {
        const typed = document.getElementById("placeholder-input");
        if (!typed) return;
        event.preventDefault();
        typed.focus();
        typed.select();
        return;
      }
      case "a":
      case "r":
      case "A":
      case "R": {
        // While a decision is on its way, a key would land on the old screen's forms.
        if (busy()) return;
        const button = document.querySelector(`#decide-form button[data-answer="${event.key}"]`);
        if (!button) return;
        event.preventDefault();
        button.click();
        return;
      }
      default:
        return;
    }
    if (go) {
      event.preventDefault();
      choose(go);
    }
  });

  // After a decision htmx swaps in a new screen: go on from the proposal it names.
  let drawn = null;
  function settle() {
    const review = root();
    if (!review || review === drawn) return;
    drawn = review;
    choose(document.getElementById(`p-${review.dataset.current}`));
  }
  document.addEventListener("htmx:afterSettle", settle);

  // A refused decision changed nothing, but the screen may be out of date (the file
  // was changed elsewhere): draw it again from what the server holds, keeping the error.
  document.addEventListener("htmx:responseError", (event) => {
    const review = root();
    if (!review || !review.contains(event.detail.elt)) return;
    fetch(`${review.dataset.fragment}?at=${review.dataset.current}`, {
      headers: { "x-thematica": "fetch" },
    })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (!html) return;
        const parsed = new DOMParser().parseFromString(html, "text/html");
        const fresh = parsed.getElementById("review");
        if (!fresh || !root()) return;
        root().replaceWith(fresh);
        window.htmx.process(fresh);
        settle();
      })
      .catch(() => {});
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", settle);
  else settle();
})();
