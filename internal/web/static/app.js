// Seatkeeper's dashboard works without this script. With it: row selection
// with a live count, dialogs for assigning and changing teams, confirmation
// dialogs before destructive actions, a collapsible menu on narrow screens,
// and forms that charge money cannot be sent twice by a double click.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  setUpNavToggle();
  setUpSelection();
  setUpDialogs();
  setUpConfirmations();
  setUpOnce();
  setUpCopy();
  setUpPrint();
});

function setUpNavToggle() {
  const button = document.querySelector("[data-toggle-nav]");
  const nav = document.getElementById("sidebar");
  if (!button || !nav) return;
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  });
}

// Tables marked data-select-table have a checkbox per row (data-select-row)
// and one in the header (data-select-all). Shift-click selects a range.
function setUpSelection() {
  document.querySelectorAll("[data-select-table]").forEach((table) => {
    const all = table.querySelector("[data-select-all]");
    const rows = () => Array.from(table.querySelectorAll("[data-select-row]"));
    let last = null;

    const update = () => {
      const boxes = rows();
      const n = boxes.filter((b) => b.checked).length;
      boxes.forEach((b) => b.closest("tr").classList.toggle("selected", b.checked));
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
      document.querySelectorAll("[data-selected-count]").forEach((el) => {
        el.textContent = n === 1 ? "1 selected" : n + " selected";
      });
      document.querySelectorAll("[data-needs-selection]").forEach((el) => {
        el.disabled = n === 0;
      });
    };

    if (all) {
      all.addEventListener("change", () => {
        rows().forEach((b) => { b.checked = all.checked; });
        update();
      });
    }
    table.addEventListener("click", (event) => {
      const box = event.target.closest("[data-select-row]");
      if (!box) return;
      const boxes = rows();
      if (event.shiftKey && last !== null) {
        const [from, to] = [boxes.indexOf(last), boxes.indexOf(box)].sort((a, b) => a - b);
        boxes.slice(from, to + 1).forEach((b) => { b.checked = box.checked; });
      }
      last = box;
      update();
    });
    update();
  });
}

// Buttons and links with data-dialog open the <dialog> of that ID instead of
// going to the page that does the same without a script.
function setUpDialogs() {
  document.querySelectorAll("[data-dialog]").forEach((opener) => {
    opener.addEventListener("click", (event) => {
      const dialog = document.getElementById(opener.dataset.dialog);
      if (!dialog || typeof dialog.showModal !== "function") return;
      event.preventDefault();
      prepareDialog(dialog, opener);
      dialog.showModal();
      const first = dialog.querySelector("input:not([type=hidden]), select, button");
      if (first) first.focus();
    });
  });
  document.querySelectorAll("dialog [data-close]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });
}

// prepareDialog fills a dialog's form from what opened it: the form's
// action, a label, and for bulk actions the selected rows.
function prepareDialog(dialog, opener) {
  const form = dialog.querySelector("form");
  if (opener.dataset.action) form.action = opener.dataset.action;
  dialog.querySelectorAll("[data-dialog-label]").forEach((el) => {
    el.textContent = opener.dataset.label || "";
  });
  dialog.querySelectorAll("input[type=email], input[type=text]").forEach((el) => {
    el.value = "";
  });
  if (opener.dataset.selection) {
    form.querySelectorAll("input[data-selected]").forEach((el) => el.remove());
    const chosen = document.querySelectorAll(
      "[data-select-row][form='" + opener.dataset.selection + "']:checked");
    chosen.forEach((box) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = box.name;
      input.value = box.value;
      input.dataset.selected = "";
      form.appendChild(input);
    });
    dialog.querySelectorAll("[data-dialog-count]").forEach((el) => {
      el.textContent = chosen.length === 1 ? "1 license" : chosen.length + " licenses";
    });
  }
}

// Forms marked data-confirm ask in a dialog before they are sent; the answer
// adds confirm=yes, which the server otherwise asks for on a page of its own.
function setUpConfirmations() {
  let dialog = null;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-confirm]") || form.querySelector("input[name=confirm]")) return;
    if (typeof HTMLDialogElement !== "function") return;
    event.preventDefault();
    dialog = dialog || makeConfirmDialog();
    dialog.querySelector("h2").textContent = form.dataset.confirmTitle || "Are you sure?";
    dialog.querySelector("p").textContent = form.dataset.confirm;
    const ok = dialog.querySelector("[data-ok]");
    ok.textContent = form.dataset.confirmButton || "Confirm";
    ok.className = "button" + ("danger" in form.dataset ? " button-danger" : "");
    ok.onclick = () => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirm";
      input.value = "yes";
      form.appendChild(input);
      dialog.close();
      form.submit();
    };
    dialog.showModal();
    ok.focus();
  });
}

function makeConfirmDialog() {
  const dialog = document.createElement("dialog");
  dialog.setAttribute("aria-labelledby", "confirm-title");
  const body = document.createElement("div");
  body.className = "dialog-body";
  const title = document.createElement("h2");
  title.id = "confirm-title";
  const text = document.createElement("p");
  const actions = document.createElement("div");
  actions.className = "dialog-actions";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button button-secondary";
  cancel.textContent = "Cancel";
  cancel.addEventListener("click", () => dialog.close());
  const ok = document.createElement("button");
  ok.type = "button";
  ok.dataset.ok = "";
  actions.append(cancel, ok);
  body.append(title, text, actions);
  dialog.appendChild(body);
  document.body.appendChild(dialog);
  return dialog;
}

// Forms marked data-once disable their buttons once sent.
function setUpOnce() {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-once]") || event.defaultPrevented) return;
    setTimeout(() => {
      form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
    }, 0);
  });
}

function setUpCopy() {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = "Copied";
      } catch (err) {
        button.textContent = "Select and copy it";
      }
    });
  });
}

function setUpPrint() {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
}
