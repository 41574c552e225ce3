// The run page's live view: an EventSource on /ui/runs/{uuid}/events (JSON events) updates the
// node cells' classes, the statuses, and the shown node's output. Output is written as text
// (createTextNode) only; each node keeps at most data-cap characters (the oldest are dropped).
"use strict";
(function () {
  const root = document.getElementById("run");
  if (!root) { return; }
  const CAP = Number(root.dataset.cap) || 1048576;
  const FINAL_EXEC = new Set(["success", "fail", "timeout", "killed", "lost"]);
  const FAILED = new Set(["fail", "timeout", "killed", "lost"]);
  const dirty = new Set();    // grids whose summary is to be written again
  let summing = null;         // the pending summary pass (one per burst of events)
  const outputs = new Map();  // execution id -> {chunks: [{text, stderr}], size, dropped}
  const cells = new Map();    // execution id -> cell element
  const pre = document.getElementById("output");
  let shown = null;           // execution id shown in the output panel
  let source = null;

  function setState(element, word) {
    for (const name of Array.from(element.classList)) {
      if (name !== "state" && name !== "cell" && name !== "chosen") {
        element.classList.remove(name);
      }
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

  function summarise(grid) {
    // The latest cell of each node says its state (a rerun adds a cell); nodes without a cell
    // yet are waiting.
    const latest = new Map();
    for (const cell of grid.querySelectorAll("[data-execution]")) {
      const known = latest.get(cell.dataset.node);
      if (!known || Number(known.dataset.execution) < Number(cell.dataset.execution)) {
        latest.set(cell.dataset.node, cell);
      }
    }
    const summary = document.querySelector(`[data-summary="${CSS.escape(grid.dataset.grid)}"]`);
    if (!summary) { return; }
    const nodes = Math.max(Number(summary.dataset.nodeCount) || 0, latest.size);
    let success = 0, failed = 0, running = 0;
    for (const cell of latest.values()) {
      if (cell.classList.contains("success")) { success += 1; }
      else if ([...FAILED].some((word) => cell.classList.contains(word))) { failed += 1; }
      else if (cell.classList.contains("running")) { running += 1; }
    }
    const waiting = nodes - success - failed - running;
    summary.textContent = `${nodes} node${nodes === 1 ? "" : "s"}: ${success} success, ` +
      `${failed} failed, ${running} running, ${waiting} waiting`;
  }

  function changed(cell) {
    const grid = cell.closest("[data-grid]");
    if (grid) { dirty.add(grid); }
    if (summing === null) {
      summing = setTimeout(() => {
        summing = null;
        for (const each of dirty) { summarise(each); }
        dirty.clear();
      }, 50);
    }
  }

  function spoken(seconds) {
    // As gateway/ui/durations.py says it: whole seconds, the two largest units.
    const whole = Math.max(0, Math.floor(seconds));
    const hours = Math.floor(whole / 3600), minutes = Math.floor((whole % 3600) / 60);
    const secs = whole % 60, two = (n) => String(n).padStart(2, "0");
    if (hours) { return `${hours} h ${two(minutes)} min`; }
    if (minutes) { return `${minutes} min ${two(secs)} s`; }
    return `${secs} s`;
  }

  function tick() {
    // A running run's duration counts up from its start (the browser's clock); a finished
    // one's is the server's figure.
    const element = document.getElementById("run-duration");
    if (!element || element.hasAttribute("data-done") || !element.dataset.started) { return; }
    element.textContent = spoken(Date.now() / 1000 - Number(element.dataset.started));
    document.getElementById("run-duration-fact").hidden = false;
  }

  function fact(name, value) {
    text(`run-${name}`, value);
    document.getElementById(`run-${name}-fact`).hidden = !value;
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
    changed(cell);
    if (shown === null) { show(event.id); }
  }

  function onTask(event) {
    const status = document.getElementById("run-status");
    status.textContent = event.status;
    setState(status, event.status);
    fact("reason", event.reason);
    if (event.finished) { fact("finished", event.finished); }
    const duration = document.getElementById("run-duration");
    if (event.started) { duration.dataset.started = event.started; }
    if (event.duration) {
      duration.setAttribute("data-done", "");
      fact("duration", event.duration);
    }
    tick();
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
  for (const box of document.querySelectorAll("[data-failed-only]")) {
    box.addEventListener("change", () => {
      const grid = document.querySelector(`[data-grid="${CSS.escape(box.dataset.failedOnly)}"]`);
      if (grid) { grid.classList.toggle("failed-only", box.checked); }
    });
  }
  for (const grid of document.querySelectorAll("[data-grid]")) { summarise(grid); }
  tick();
  setInterval(tick, 1000);
  const first = document.querySelector("[data-execution]");
  if (first) { show(Number(first.dataset.execution)); }
  window.jobfleet.gridReady = performance.now();
  listen();
})();
