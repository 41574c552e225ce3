// The web terminal of /cmd/{projectid}: xterm.js over the page's WebSocket.
// Frames (docs in gateway/README.md): the first message is {"ticket", "cols", "rows", "actor"};
// then binary frames carry keystrokes up and terminal output down, and JSON text frames carry
// control: {"type": "resize", cols, rows} up; {"type": "opened" | "closed" | "error", ...} down.
(function () {
  "use strict";
  var root = document.getElementById("terminal");
  var ticket = root.getAttribute("data-ticket") || "";
  root.removeAttribute("data-ticket");
  var actor = root.getAttribute("data-actor") || "";
  var term = new Terminal({ cursorBlink: true, scrollback: 5000, convertEol: false });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(root);
  fit.fit();
  term.focus();

  var url = new URL(window.location.pathname.replace(/\/+$/, "") + "/socket", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  url.hash = "";
  var socket = new WebSocket(url.href);
  socket.binaryType = "arraybuffer";
  var encoder = new TextEncoder();
  var closedSaid = false;

  function note(text) {
    term.write("\r\n\x1b[33m[" + text + "]\x1b[0m\r\n");
  }

  function control(message) {
    if (message.type === "closed") {
      closedSaid = true;
      var why = message.reason ? message.reason : "the shell exited";
      note("session closed: " + why + " (exit " + message.exit_code + ")");
    } else if (message.type === "error") {
      closedSaid = true;
      note(message.info);
    } else if (message.type === "opened") {
      document.title = message.user + "@" + message.nodes.join(",");
    }
  }

  socket.onopen = function () {
    socket.send(JSON.stringify({ ticket: ticket, cols: term.cols, rows: term.rows, actor: actor }));
    ticket = "";
  };
  socket.onmessage = function (event) {
    if (typeof event.data === "string") {
      control(JSON.parse(event.data));
    } else {
      term.write(new Uint8Array(event.data));
    }
  };
  socket.onclose = function (event) {
    if (!closedSaid) {
      note("connection closed" + (event.reason ? ": " + event.reason : ""));
    }
  };
  term.onData(function (data) {
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(encoder.encode(data));
    }
  });
  term.onBinary(function (data) {
    if (socket.readyState === WebSocket.OPEN) {
      var bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) {
        bytes[i] = data.charCodeAt(i) & 255;
      }
      socket.send(bytes);
    }
  });
  term.onResize(function (size) {
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "resize", cols: size.cols, rows: size.rows }));
    }
  });
  window.addEventListener("resize", function () {
    fit.fit();
  });
})();
