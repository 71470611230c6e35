// Embed Tierdesk's live chat on your site:
//   <script src="https://support.example.com/static/chat/embed.js" defer></script>
// It adds the chat page in an iframe; the page talks only to its own origin (Tierdesk),
// so your site's CSP needs only frame-src and script-src for Tierdesk's address, and
// Tierdesk's TIERDESK_CHAT_EMBED_ORIGINS must list your site.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "";
  var frame = document.createElement("iframe");
  frame.src = base + "/chat/widget/" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  frame.title = script.getAttribute("data-title") || "Live chat";
  frame.className = "tierdesk-chat-frame";
  frame.setAttribute("style", "position:fixed;bottom:1rem;right:1rem;width:22rem;height:32rem;border:1px solid #d1d5db;border-radius:.5rem;background:#fff;z-index:2147483000");
  document.body.appendChild(frame);
}());
