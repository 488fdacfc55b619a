// Assessment pages: a form marked data-submit-once is sent once. A second tap while the first
// request is under way does nothing; the server's submission token covers what script cannot
// (a retry after a lost connection).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // After this tick, so that the pressed button's name and value are still sent.
      window.setTimeout(() => {
        form.querySelectorAll("button[type=submit]").forEach((button) => {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
      }, 0);
    });
  });
  // Coming back with the browser's back button shows the page from its cache: re-enable it.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach((form) => {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
  const error = document.getElementById("form-error");
  if (error) error.focus();
});
