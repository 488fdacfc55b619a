// The trainer's check-in code: fetch a fresh signed code when the current one runs out.
document.addEventListener("DOMContentLoaded", () => {
  const stage = document.getElementById("qr-stage");
  if (!stage || !document.getElementById("qr-link")) return;
  let left = Number(stage.dataset.secondsLeft) || 30;
  const seconds = document.getElementById("qr-seconds");
  const count = document.getElementById("qr-count");
  const refusal = document.getElementById("qr-refusal");

  async function refresh() {
    try {
      const response = await fetch(stage.dataset.codeUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (count) count.textContent = data.checked_in;
      if (data.refusal) {
        refusal.textContent = data.refusal;
        refusal.hidden = false;
        const figure = document.querySelector(".qr-figure");
        if (figure) figure.remove();
        return false;
      }
      const link = document.getElementById("qr-link");
      link.innerHTML = data.svg; // our own server's SVG markup
      link.href = data.url;
      stage.dataset.checkinUrl = data.url;
      left = data.seconds_left;
    } catch (error) {
      left = 3; // try again shortly
    }
    return true;
  }

  const timer = window.setInterval(async () => {
    left -= 1;
    if (seconds) seconds.textContent = Math.max(left, 0);
    if (left <= 0 && !(await refresh())) window.clearInterval(timer);
  }, 1000);
});
