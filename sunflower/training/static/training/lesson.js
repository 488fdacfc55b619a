// Online lessons: report playback to the server, and read a preview's duration for the admin.
// The server decides what counts (training/lessons.py); this only reports what the player did.
(() => {
  "use strict";

  function startPlayer(root) {
    const player = root.querySelector("video, audio");
    const token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    const interval = Math.max(1, Number(root.dataset.interval) || 10) * 1000;
    const bar = root.querySelector("[data-progress-bar]");
    const text = root.querySelector("[data-progress-text]");
    const skipNotice = root.querySelector("[data-skip-notice]");
    const doneNotice = root.querySelector("[data-done-notice]");
    const quizNotice = root.querySelector("[data-quiz-notice]");
    let started = false;
    let lastSent = performance.now();
    let lastPlayed = 0;
    let queue = Promise.resolve();
    let timer = null;

    function show(state) {
      if (!state) return;
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
      text.textContent = `${state.percent}%`;
      skipNotice.hidden = !state.skip_detected || state.completed;
      doneNotice.hidden = !state.completed;
      if (quizNotice && state.media_reached && !state.completed) quizNotice.hidden = false;
    }

    function report(position) {
      const now = performance.now();
      const body = JSON.stringify({ position, elapsed: (now - lastSent) / 1000 });
      lastSent = now;
      // One report at a time, in order: the server compares each with the one before.
      queue = queue
        .then(() =>
          fetch(root.dataset.heartbeatUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": token },
            body,
          }),
        )
        .then((response) => (response.ok ? response.json() : null))
        .then(show)
        .catch(() => {});
    }

    player.addEventListener("loadedmetadata", () => {
      const resume = Number(root.dataset.resume) || 0;
      if (resume > 1 && resume < player.duration - 1) player.currentTime = resume;
    });
    player.addEventListener("timeupdate", () => {
      if (!player.seeking) lastPlayed = player.currentTime;
    });
    player.addEventListener("play", () => {
      started = true;
      report(player.currentTime);
      clearInterval(timer);
      timer = setInterval(() => report(player.currentTime), interval);
    });
    player.addEventListener("pause", () => {
      clearInterval(timer);
      if (started) report(player.currentTime);
    });
    player.addEventListener("seeking", () => {
      if (started) report(lastPlayed);
    });
    player.addEventListener("seeked", () => {
      lastPlayed = player.currentTime;
      if (started) report(player.currentTime);
    });
    player.addEventListener("ended", () => {
      clearInterval(timer);
      report(player.duration);
    });
  }

  function fillDuration(preview) {
    const input = document.querySelector("[data-duration-input]");
    const player = preview.querySelector("video, audio");
    if (!input || !player) return;
    player.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(player.duration) && !(Number(input.value) > 0)) {
        input.value = Math.round(player.duration);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-lesson-player]").forEach(startPlayer);
    document.querySelectorAll("[data-lesson-preview]").forEach(fillDuration);
  });
})();
