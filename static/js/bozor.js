// Bozor's own script: small enhancements only; every page works without it.
document.addEventListener("htmx:responseError", (event) => {
  // Let the server's error page replace the fragment instead of failing silently.
  const xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.responseText) {
    document.open();
    document.write(xhr.responseText);
    document.close();
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  // A 429 to htmx carries the step to show with the limit message: swap it in like a 200.
  const xhr = event.detail.xhr;
  if (xhr && xhr.status === 429 && !/^\s*<!doctype/i.test(xhr.responseText)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// "Send again in N s": count down, then enable the button (the server enforces the wait anyway).
function startCountdowns(root) {
  root.querySelectorAll("[data-countdown]").forEach((form) => {
    if (form.dataset.countdownStarted) return;
    form.dataset.countdownStarted = "1";
    let left = parseInt(form.dataset.countdown, 10) || 0;
    const seconds = form.querySelector("[data-countdown-seconds]");
    const button = form.querySelector("button");
    const timer = setInterval(() => {
      left -= 1;
      if (seconds) seconds.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        clearInterval(timer);
        if (button) button.disabled = false;
        const note = form.querySelector(".countdown");
        if (note) note.hidden = true;
      }
    }, 1000);
  });
}
document.addEventListener("DOMContentLoaded", () => startCountdowns(document));
document.addEventListener("htmx:load", (event) => startCountdowns(event.detail.elt));
