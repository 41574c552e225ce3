// The run page's live view: an EventSource on /ui/runs/{uuid}/events (JSON events) updates the
// node cells' classes, the statuses, and the shown node's output. Output is written as text
// (createTextNode) only; each node keeps at most data-cap characters (the oldest are dropped).
"use strict";
(function () {
  const root = document.getElementById("run");
  if (!root) { return; }
  const CAP = Number(root.dataset.cap) || 1048576;
  const FINAL_EXEC = new Set(["success", "fail", "timeout", "killed", "lost"]);
  const outputs = new Map();  // execution id -> {chunks: [{text, stderr}], size, dropped}
  const cells = new Map();    // execution id -> cell element
  const pre = document.getElementById("output");
  let shown = null;           // execution id shown in the output panel
  let source = null;

  function setState(element, word) {
    for (const name of Array.from(element.classList)) {
      if (name !== "state" && name !== "cell") { element.classList.remove(name); }
    }
    element.classList.add(word);
  }

  function text(id, value) {
    const element = document.getElementById(id);
    if (element) { element.textContent = value; }
  }

  function bufferOf(id) {
    let buffer = outputs.get(id);
    if (!buffer) { buffer = {chunks: [], size: 0, dropped: false}; outputs.set(id, buffer); }
    return buffer;
  }

  function span(chunk) {
    const element = document.createElement("span");
    if (chunk.stderr) { element.className = "stderr"; }
    element.appendChild(document.createTextNode(chunk.text));
    return element;
  }

  function trim(buffer, id) {
    // Drop the oldest characters past CAP: whole chunks first, then the head of the oldest.
    const showing = id === shown;
    while (buffer.size > CAP) {
      const first = buffer.chunks[0];
      const excess = buffer.size - CAP;
      if (first.text.length <= excess) {
        buffer.chunks.shift();
        buffer.size -= first.text.length;
        if (showing && pre.firstChild) { pre.removeChild(pre.firstChild); }
      } else {
        first.text = first.text.slice(excess);
        buffer.size -= excess;
        if (showing && pre.firstChild) { pre.firstChild.textContent = first.text; }
      }
    }
    buffer.dropped = true;
    if (showing) { document.getElementById("output-dropped").hidden = false; }
  }

  function append(id, chunk) {
    const buffer = bufferOf(id);
    buffer.chunks.push(chunk);
    buffer.size += chunk.text.length;
    if (id === shown) {
      const bottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.appendChild(span(chunk));
      if (bottom) { pre.scrollTop = pre.scrollHeight; }
    }
    if (buffer.size > CAP) { trim(buffer, id); }
  }

  function show(id) {
    shown = id;
    const cell = cells.get(id);
    for (const other of cells.values()) { other.classList.remove("chosen"); }
    if (cell) {
      cell.classList.add("chosen");
      text("output-node", cell.dataset.node);
      text("output-status", cell.title.split(": ").slice(1).join(": "));
    }
    const buffer = bufferOf(id);
    pre.replaceChildren(...buffer.chunks.map(span));
    document.getElementById("output-dropped").hidden = !buffer.dropped;
  }

  function cellFor(event) {
    let cell = cells.get(event.id);
    if (!cell) {
      cell = document.createElement("button");
      cell.type = "button";
      cell.className = "cell";
      cell.dataset.execution = String(event.id);
      cell.dataset.node = event.node;
      cell.textContent = event.node;
      const grids = document.querySelectorAll("[data-grid]");
      const grid = document.querySelector(`[data-grid="${CSS.escape(event.step)}"]`) ||
        grids[grids.length - 1];
      if (grid) { grid.appendChild(cell); }
      cells.set(event.id, cell);
    }
    return cell;
  }

  function onExecution(event) {
    const cell = cellFor(event);
    setState(cell, event.status);
    let title = `${event.node}: ${event.status}`;
    if (FINAL_EXEC.has(event.status) && event.status !== "success") {
      title += event.reason ? ` (${event.reason})` : ` (exit ${event.exit_code})`;
    }
    if (event.attempt > 1) { title += `, attempt ${event.attempt}`; }
    cell.title = title;
    if (event.id === shown) { text("output-status", title.split(": ").slice(1).join(": ")); }
    if (shown === null) { show(event.id); }
  }

  function onTask(event) {
    const status = document.getElementById("run-status");
    status.textContent = event.status;
    setState(status, event.status);
    text("run-reason", event.reason);
    if (event.finished) { text("run-finished", event.finished); }
    for (const [uuid, word] of Object.entries(event.steps)) {
      const element = document.getElementById(`step-${uuid}`);
      if (element) { element.textContent = word; setState(element, word); }
      const form = document.querySelector(`[data-decide="${CSS.escape(uuid)}"]`);
      if (form) { form.hidden = word !== "decision" || event.final; }
    }
    document.getElementById("kill-form").hidden = event.final;
  }

  function listen() {
    source = new EventSource(root.dataset.events);
    source.addEventListener("start", () => {  // a reconnect replays everything: start afresh
      for (const buffer of outputs.values()) { buffer.chunks = []; buffer.size = 0; buffer.dropped = false; }
      if (shown !== null) { pre.replaceChildren(); }
      text("live-state", "live");
    });
    source.addEventListener("output", (message) => {
      const event = JSON.parse(message.data);
      append(event.execution, {text: event.text, stderr: event.stderr});
      if (shown === null && cells.has(event.execution)) { show(event.execution); }
    });
    source.addEventListener("execution", (message) => onExecution(JSON.parse(message.data)));
    source.addEventListener("task", (message) => onTask(JSON.parse(message.data)));
    source.addEventListener("end", () => {
      source.close();
      text("live-state", "ended");
      window.jobfleet.streamEnded = performance.now();
    });
    source.addEventListener("error", (message) => {
      if (message.data) {  // the server's own error event: the live view stopped
        source.close();
        text("live-state", JSON.parse(message.data).message);
      } else if (source.readyState === EventSource.CLOSED) {
        text("live-state", "the live view stopped: reload the page");
      }
    });
  }

  async function act(event) {
    event.preventDefault();
    const form = event.target;
    const body = new URLSearchParams(new FormData(form, event.submitter));
    const result = document.getElementById("action-result");
    result.textContent = "…";
    try {
      const answer = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: {Accept: "application/json"},
      });
      const said = await answer.json();
      result.textContent = said.message;
      result.className = answer.ok ? "notice" : "error";
    } catch (failure) {
      result.textContent = `not sent: ${failure}`;
      result.className = "error";
    }
  }

  for (const cell of document.querySelectorAll("[data-execution]")) {
    cells.set(Number(cell.dataset.execution), cell);
  }
  document.addEventListener("click", (event) => {
    const cell = event.target.closest("[data-execution]");
    if (cell) { show(Number(cell.dataset.execution)); }
  });
  for (const form of document.querySelectorAll("form[data-action]")) {
    form.addEventListener("submit", act);
  }
  const first = document.querySelector("[data-execution]");
  if (first) { show(Number(first.dataset.execution)); }
  window.jobfleet.gridReady = performance.now();
  listen();
})();
