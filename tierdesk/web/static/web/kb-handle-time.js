// Handle time: while this ticket is open, visible and the agent has used keyboard or
// mouse within the last minute, post a heartbeat every 30 s. The server credits the time
// between beats and ignores gaps (idle, tab hidden, laptop asleep). CSP-safe: no inline
// code, no eval; the CSRF token comes from the body's hx-headers attribute.
(function () {
  "use strict";
  var marker = document.getElementById("handle-time");
  if (!marker) { return; }
  var url = marker.getAttribute("data-heartbeat");
  var BEAT_MS = 30000, IDLE_MS = 60000;
  var lastActivity = Date.now();
  function touched() { lastActivity = Date.now(); }
  ["keydown", "mousemove", "mousedown", "scroll", "touchstart", "focus"].forEach(function (name) {
    window.addEventListener(name, touched, { passive: true });
  });
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function beat() {
    if (document.hidden || Date.now() - lastActivity > IDLE_MS) { return; }
    fetch(url, { method: "POST", credentials: "same-origin",
                 headers: { "X-CSRFToken": csrfToken() } }).catch(function () {});
  }
  beat();
  window.setInterval(beat, BEAT_MS);
})();
