// Tierdesk: keyboard shortcuts, auto-submitting selects, Ctrl+Enter to send, and no
// polling from hidden tabs. Loaded as a file (CSP script-src 'self'); no inline handlers.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-list] [data-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) {
      if (i === index) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    var link = all[index].querySelector("[data-open]");
    if (link) link.focus();
  }

  function current() {
    return rows().findIndex(function (row) { return row.getAttribute("aria-current") === "true"; });
  }

  var pending = "";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "Enter" && typing(event.target)) {
      var form = event.target.closest("form[data-ctrl-enter]");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (pending === "g") {
      pending = "";
      var target = document.querySelector('[data-key="g ' + key + '"]');
      if (target) { event.preventDefault(); target.click(); }
      return;
    }
    if (key === "g") { pending = "g"; return; }
    if (key === "j") { event.preventDefault(); select(current() + 1); }
    else if (key === "k") { event.preventDefault(); select(current() - 1); }
    else if (key === "Escape") {
      var menu = document.querySelector("details[data-menu][open]");
      if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
    }
    else if (key === "Enter" && current() >= 0 && !event.target.closest("summary")) {
      var link = rows()[current()].querySelector("[data-open]");
      if (link && document.activeElement !== link) { event.preventDefault(); link.click(); }
    } else if (key === "r" || key === "n") {
      var box = document.querySelector('[data-key-target="' + key + '"]');
      if (box) { event.preventDefault(); box.focus(); }
    } else if (key === "?") {
      var help = document.getElementById("help");
      if (help && help.showModal) { event.preventDefault(); help.showModal(); }
    }
  });

  // The "More" menu closes when a click lands outside it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-help]");
    var help = document.getElementById("help");
    if (button && help && help.showModal) help.showModal();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // The presence heartbeat says "writing a reply" while the reply box holds text.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "presence") return;
    var box = document.querySelector("[data-presence]");
    event.detail.parameters.state = box && box.value.trim() ? box.getAttribute("data-presence")
      : "viewing";
  });

  // After the queue's poll, its counts follow (the sidebar and the view's total).
  document.addEventListener("htmx:afterSwap", function (event) {
    var counts = document.getElementById("sidebar-counts");
    if (counts && event.detail.target && event.detail.target.id === "queue" && window.htmx) {
      window.htmx.trigger(counts, "refresh");
    }
  });

  // A hidden tab does not poll; it catches up when shown again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var trigger = event.detail.elt && event.detail.elt.getAttribute("hx-trigger");
    if (document.hidden && trigger && trigger.indexOf("every ") === 0) event.preventDefault();
  });
})();
