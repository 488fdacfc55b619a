// Live care alerts for record keepers: a WebSocket to /ws/care/alerts/ that receives
// {type, link, tier} and shows a banner with a link. No sound, no names, no content. When the
// server closes the socket because the login ended (4401), a banner says so.
(function () {
  "use strict";
  const box = document.getElementById("care-alerts");
  if (!box || !("WebSocket" in window)) return;
  const KINDS = { "care.warning": "warning", "care.sla_breach": "sla_breach", "care.escalation": "escalation" };
  let delay = 2000;

  function text(key) {
    return box.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
  }

  function show(alert) {
    const kind = KINDS[alert.type];
    if (!kind || typeof alert.link !== "string" || !alert.link.startsWith("/")) return;
    const item = document.createElement("div");
    item.className = "care-alert care-alert-" + (alert.tier || "none");
    item.setAttribute("role", "alert");
    const label = document.createElement("strong");
    label.textContent = text(alert.tier || "") || "";
    const message = document.createElement("span");
    message.textContent = (kind === "warning" ? box.dataset.textWarning : kind === "sla_breach" ? box.dataset.textSla_breach : box.dataset.textEscalation) || "";
    const link = document.createElement("a");
    link.href = alert.link;
    link.textContent = box.dataset.textOpen || "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link-btn";
    close.textContent = box.dataset.textClose || "×";
    close.addEventListener("click", () => item.remove());
    item.append(label, message, link, close);
    // Red first: the most urgent alert goes to the top.
    if (alert.tier === "red") box.prepend(item); else box.append(item);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + box.dataset.socket);
    socket.addEventListener("open", () => { delay = 2000; });
    socket.addEventListener("message", (event) => {
      try { show(JSON.parse(event.data)); } catch (error) { /* ignore malformed */ }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401) {
        // The login ended (logged out, timed out): say so instead of going quiet.
        const item = document.createElement("div");
        item.className = "care-alert care-alert-none";
        item.setAttribute("role", "alert");
        item.textContent = box.dataset.textEnded || "";
        box.append(item);
        return;
      }
      if (event.code === 4403) return;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    });
  }
  connect();
})();
