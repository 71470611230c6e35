// Tierdesk live chat widget: plain JavaScript, no build step, no inline script (CSP).
// It runs inside the /chat/widget/ page (same origin as the API), so no CORS is needed;
// embed.js puts that page in an iframe on the customer's site.
(function () {
  "use strict";
  var body = document.body;
  var api = body.getAttribute("data-api");
  var strings = {};
  var tpl = document.getElementById("chat-strings");
  Array.prototype.forEach.call(tpl.content.querySelectorAll("[data-k]"), function (el) {
    strings[el.getAttribute("data-k")] = el.textContent;
  });
  var state = { id: null, token: null, after: 0, polling: false, ended: false, seq: 0 };
  var lines = document.getElementById("chat-lines");
  var status = document.getElementById("chat-status");
  var stored = null;
  try { stored = JSON.parse(sessionStorage.getItem("tierdesk-chat") || "null"); } catch (e) { stored = null; }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function call(method, path, payload) {
    var headers = { "Accept": "application/json", "Accept-Language": document.documentElement.lang || "en" };
    if (payload !== undefined) { headers["Content-Type"] = "application/json"; }
    if (state.token) { headers["X-Chat-Token"] = state.token; }
    if (method !== "GET") { headers["X-CSRFToken"] = csrf(); }
    return fetch(api + path, {
      method: method, headers: headers, credentials: "same-origin",
      body: payload === undefined ? undefined : JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { var err = new Error(data.message || r.status); err.status = r.status; throw err; }
        return data;
      });
    });
  }

  function show(messages) {
    messages.forEach(function (m) {
      if (document.getElementById("line-" + m.id)) { return; }
      var li = document.createElement("li");
      li.id = "line-" + m.id;
      li.className = "chat-line by-" + m.by;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = m.by === "customer" ? strings.you : m.author;
      var text = document.createElement("span");
      text.setAttribute("dir", "auto");
      text.textContent = m.text;
      li.appendChild(who);
      li.appendChild(text);
      lines.appendChild(li);
      if (m.id > state.after) { state.after = m.id; }
    });
    lines.scrollTop = lines.scrollHeight;
  }

  function enter(data) {
    state.id = data.session_id;
    state.token = data.token || state.token;
    sessionStorage.setItem("tierdesk-chat", JSON.stringify({ id: state.id, token: state.token }));
    document.getElementById("chat-start").hidden = true;
    document.getElementById("chat-room").hidden = false;
    show(data.messages);
    finish(data.state);
    poll();
  }

  function finish(s) {
    if (s !== "open") {
      state.ended = true;
      status.textContent = strings.ended;
      document.getElementById("chat-say").hidden = true;
      document.getElementById("chat-end").hidden = true;
      sessionStorage.removeItem("tierdesk-chat");
    }
  }

  // The long-poll: one request waits up to 20 s and answers the moment a line lands.
  function poll() {
    if (state.polling || state.ended) { return; }
    state.polling = true;
    call("GET", "/sessions/" + state.id + "/messages?after=" + state.after + "&wait=20")
      .then(function (data) {
        state.polling = false;
        status.textContent = "";
        show(data.messages);
        finish(data.state);
        if (data.retry_ms) { setTimeout(poll, data.retry_ms); } else { poll(); }
      }, function (err) {
        state.polling = false;
        if (err.status === 404 || err.status === 401) { finish("ended"); return; }
        status.textContent = strings.offline;
        setTimeout(poll, 2000);
      });
  }

  document.getElementById("chat-start").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target;
    var payload = { text: f.elements.text.value };
    if (f.elements.name) { payload.name = f.elements.name.value; payload.email = f.elements.email.value; }
    status.textContent = "";
    call("POST", "/sessions", payload).then(enter, function (err) { status.textContent = err.message; });
  });

  document.getElementById("chat-say").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = document.getElementById("chat-text");
    var text = box.value;
    if (!text.trim()) { return; }
    state.seq += 1;
    var clientId = "w" + Date.now().toString(36) + "-" + state.seq;
    call("POST", "/sessions/" + state.id + "/messages", { text: text, client_id: clientId })
      .then(function (m) { box.value = ""; show([m]); }, function (err) { status.textContent = err.message || strings.error; });
  });

  document.getElementById("chat-text").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); document.getElementById("chat-say").requestSubmit(); }
  });

  document.getElementById("chat-end").addEventListener("click", function () {
    call("POST", "/sessions/" + state.id + "/end", {}).then(function (data) { finish(data.state); });
  });

  if (stored && stored.id && stored.token) {
    state.id = stored.id;
    state.token = stored.token;
    call("GET", "/sessions/" + state.id + "/messages?after=0").then(enter, function () {
      sessionStorage.removeItem("tierdesk-chat");
      state.id = null; state.token = null;
    });
  }
}());
