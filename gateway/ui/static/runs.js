// The runs list's polling: the live part (#live, hx-trigger="poll-live") is asked for again
// every data-poll-seconds while the tab is visible only; a hidden tab asks nothing, and one
// made visible again asks at once. (htmx's own `every 2s [condition]` needs eval, which the
// console's CSP forbids.)
"use strict";
(function () {
  const live = document.getElementById("live");
  if (!live) { return; }
  const every = (Number(live.dataset.pollSeconds) || 2) * 1000;
  let timer = null;

  function poll() { live.dispatchEvent(new CustomEvent("poll-live")); }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
  }

  function start() {
    stop();
    timer = setInterval(poll, every);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      poll();
      start();
    } else {
      stop();
    }
  });
  if (document.visibilityState === "visible") { start(); }
})();
