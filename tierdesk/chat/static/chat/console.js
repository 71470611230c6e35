// The agent's live chat console: long-polls the chat API with the workspace session and
// sends replies with the CSRF token; without JavaScript the form posts and reloads.
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root) { return; }
  var api = root.getAttribute("data-api");
  var id = root.getAttribute("data-session");
  var after = parseInt(root.getAttribute("data-after"), 10) || 0;
  var lines = document.getElementById("chat-lines");
  var status = document.getElementById("chat-status");
  var form = document.getElementById("chat-say");
  var seq = 0;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(messages) {
    messages.forEach(function (m) {
      if (document.getElementById("line-" + m.id)) { return; }
      var li = document.createElement("li");
      li.id = "line-" + m.id;
      li.className = "entry chat-line by-" + m.by;
      var who = document.createElement("strong");
      who.textContent = m.author + " ";
      var text = document.createElement("span");
      text.setAttribute("dir", "auto");
      text.textContent = m.text;
      li.appendChild(who);
      li.appendChild(text);
      lines.appendChild(li);
      if (m.id > after) { after = m.id; }
    });
  }

  function poll() {
    fetch(api + "/sessions/" + id + "/messages?after=" + after + "&wait=20", {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        status.textContent = "";
        show(data.messages);
        if (data.state !== "open") { if (form) { form.hidden = true; } return; }
        if (data.retry_ms) { setTimeout(poll, data.retry_ms); } else { poll(); }
      }, function () { setTimeout(poll, 2000); });
  }

  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = form.elements.text;
      if (!box.value.trim()) { return; }
      seq += 1;
      fetch(api + "/sessions/" + id + "/messages", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ text: box.value, client_id: "a" + Date.now().toString(36) + "-" + seq })
      }).then(function (r) { return r.json().then(function (d) { if (!r.ok) { throw new Error(d.message); } return d; }); })
        .then(function (m) { box.value = ""; show([m]); }, function (e) { status.textContent = e.message; });
    });
  }
  if (root.getAttribute("data-state") === "open") { poll(); }
}());
