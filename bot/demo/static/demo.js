// Partner Desk demo page: two chats with the real bot, through the demo's small JSON API.
"use strict";

const SIDES = ["partner", "manager"];
const panes = {};
let rev = "";
let current = null;

function api(path, body) {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (response) => {
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  });
}

function toast(text, alert) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = alert ? "toast alert" : "toast";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, alert ? 5000 : 2500);
}

function failed(error) { toast(String(error.message || error), true); }

function setupPane(side) {
  const root = document.getElementById("pane-" + side);
  root.appendChild(document.getElementById("pane-template").content.cloneNode(true));
  const pane = {
    side, root, user: null, replyTo: null, skipReply: null,
    pinned: true,  // the chat shows its newest message: what arrives (or loads) keeps it so
    list: root.querySelector(".messages"),
    select: root.querySelector(".person"),
    input: root.querySelector(".text"),
    keyboard: root.querySelector(".keyboard"),
    replyBar: root.querySelector(".reply-bar"),
    startBar: root.querySelector(".start-bar"),
  };
  pane.select.addEventListener("change", () => {
    api("/api/switch", { pane: side, user: Number(pane.select.value) }).catch(failed);
  });
  root.querySelector(".composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = pane.input.value.trim();
    if (text) { pane.input.value = ""; send(pane, text); }
  });
  pane.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      root.querySelector(".composer").requestSubmit();
    }
  });
  root.querySelector(".start").addEventListener("click", () => send(pane, "/start"));
  root.querySelector(".cancel-reply").addEventListener("click", () => {
    pane.skipReply = pane.replyTo;
    pane.replyBar.hidden = true;
  });
  for (const [selector, kind] of [[".photo-input", "photo"], [".document-input", "document"]]) {
    const input = root.querySelector(selector);
    input.addEventListener("change", () => {
      const files = Array.from(input.files || []);
      input.value = "";
      files.reduce((done, file) => done.then(() => upload(pane, kind, file)), Promise.resolve())
        .catch(failed);
    });
  }
  pane.list.addEventListener("click", (event) => {
    const target = event.target;
    const command = target.closest(".cmd");
    if (command) {  // a tapped /command is sent, as a Telegram app does
      event.preventDefault();
      send(pane, command.dataset.cmd);
    }
    if (target.classList.contains("spoiler")) target.classList.add("shown");
  });
  pane.list.addEventListener("scroll", () => {
    pane.pinned = pane.list.scrollHeight - pane.list.scrollTop - pane.list.clientHeight < 80;
  });
  panes[side] = pane;
}

function toBottom(pane) {
  pane.list.scrollTop = pane.list.scrollHeight;
  pane.pinned = true;
}

function replyTarget(pane) {
  return pane.replyTo && pane.replyTo !== pane.skipReply ? pane.replyTo : null;
}

function send(pane, text) {
  return api("/api/send", { user: pane.user, text, reply_to: replyTarget(pane) }).catch(failed);
}

function upload(pane, kind, file) {
  const form = new FormData();
  form.append("user", pane.user);
  form.append("kind", kind);
  form.append("file", file, file.name);
  return fetch("/api/upload", { method: "POST", body: form }).then(async (response) => {
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || "upload failed");
  });
}

function press(pane, message, data, button) {
  button.disabled = true;
  api("/api/press", { user: pane.user, message, data })
    .then((result) => { if (result.answer && result.answer.text) toast(result.answer.text, result.answer.alert); })
    .catch(failed)
    .finally(() => { button.disabled = false; });
}

function renderMessage(pane, m) {
  const box = document.createElement("div");
  box.className = "msg " + m.from;
  box.dataset.id = m.id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (m.file && m.file.kind === "photo") {
    const img = document.createElement("img");
    img.alt = "photo";
    // A photo grows the chat when it loads (also after a reload): keep the newest in view.
    img.addEventListener("load", () => { if (pane.pinned) toBottom(pane); });
    img.src = m.file.url;
    bubble.appendChild(img);
  } else if (m.file) {
    const link = document.createElement("a");
    link.className = "doc";
    link.href = m.file.url;
    link.target = "_blank";
    link.textContent = "📄 " + (m.file.name || "file");
    bubble.appendChild(link);
  }
  const text = document.createElement("div");
  text.className = "text-html";
  text.innerHTML = m.html;  // built on the server from Telegram's entities, escaped there
  bubble.appendChild(text);
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (m.edited ? "edited · " : "") + m.at;
  bubble.appendChild(meta);
  box.appendChild(bubble);
  if (m.buttons.length) {
    const grid = document.createElement("div");
    grid.className = "inline";
    for (const row of m.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const b of row) {
        let el;
        if (b.url) {
          el = document.createElement("a");
          el.href = b.url;
          el.target = "_blank";
          el.rel = "noopener noreferrer";
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.addEventListener("click", () => press(pane, m.id, b.data, el));
        }
        el.textContent = b.text;
        line.appendChild(el);
      }
      grid.appendChild(line);
    }
    box.appendChild(grid);
  }
  return box;
}

function renderKeyboard(pane, keyboard) {
  pane.keyboard.replaceChildren();
  pane.keyboard.hidden = !keyboard;
  for (const row of keyboard || []) {
    const line = document.createElement("div");
    line.className = "row";
    for (const b of row) {
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = b.text;
      el.addEventListener("click", () => {
        if (b.contact) api("/api/contact", { user: pane.user }).catch(failed);
        else send(pane, b.text);
      });
      line.appendChild(el);
    }
    pane.keyboard.appendChild(line);
  }
}

function renderPane(pane, data, people) {
  const switched = pane.user !== data.user;
  pane.user = data.user;
  if (pane.select.options.length !== people.length) {
    pane.select.replaceChildren(...people.map((p) => new Option(p.label, p.id)));
  }
  pane.select.value = String(data.user);
  if (switched) pane.list.replaceChildren();
  const existing = new Map(Array.from(pane.list.children).map((el) => [el.dataset.id, el]));
  const wanted = new Set();
  let previous = null;
  let added = false;
  for (const m of data.messages) {
    const key = String(m.id);
    wanted.add(key);
    const signature = JSON.stringify(m);
    let el = existing.get(key);
    if (!el || el.dataset.signature !== signature) {
      const fresh = renderMessage(pane, m);
      fresh.dataset.signature = signature;
      if (el) el.replaceWith(fresh); else added = true;
      el = fresh;
    }
    if (previous ? previous.nextSibling !== el : pane.list.firstChild !== el) {
      pane.list.insertBefore(el, previous ? previous.nextSibling : pane.list.firstChild);
    }
    previous = el;
  }
  for (const [key, el] of existing) if (!wanted.has(key)) el.remove();
  if (switched || added) toBottom(pane);
  pane.startBar.hidden = data.messages.length > 0;
  pane.replyTo = data.reply_to;
  pane.replyBar.hidden = !replyTarget(pane);
  renderKeyboard(pane, data.keyboard);
}

function render(state) {
  current = state;
  const clock = document.getElementById("clock");
  clock.textContent = state.clock.date + " " + state.clock.time;
  clock.dataset.iso = state.clock.iso;
  for (const side of SIDES) renderPane(panes[side], state.panes[side], state.people[side]);
}

async function poll() {
  for (;;) {
    try {
      const response = await fetch("/api/state?since=" + encodeURIComponent(rev));
      const state = await response.json();
      rev = state.rev;
      render(state);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function setupTop() {
  for (const button of document.querySelectorAll(".clock button")) {
    button.addEventListener("click", () => {
      const all = document.querySelectorAll(".clock button");
      all.forEach((b) => { b.disabled = true; });
      api("/api/clock", { days: Number(button.dataset.days) })
        .then((result) => toast("Now " + result.clock.date + " " + result.clock.time))
        .catch(failed)
        .finally(() => all.forEach((b) => { b.disabled = false; }));
    });
  }
  for (const tab of document.querySelectorAll("#tabs button")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("#tabs button")) other.classList.toggle("active", other === tab);
      for (const side of SIDES) panes[side].root.classList.toggle("active", side === tab.dataset.tab);
    });
  }
}

SIDES.forEach(setupPane);
setupTop();
poll();
