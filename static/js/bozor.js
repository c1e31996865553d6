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

// --- listings: the gallery -------------------------------------------------------------
// Thumbnails and arrows are links to ?photo=N (the server shows that photo large); here they
// swap the photo in place from its <template>, and the arrow keys step through the photos.
function galleryShow(gallery, number, focusRel) {
  const source = gallery.querySelector(`template[data-gallery-photo="${number}"]`);
  const main = gallery.querySelector("[data-gallery-main]");
  if (!source || !main) return false;
  main.replaceChildren(source.content.cloneNode(true));
  gallery.querySelectorAll("[data-gallery-thumb]").forEach((thumb) => {
    if (thumb.dataset.galleryTo === String(number)) thumb.setAttribute("aria-current", "true");
    else thumb.removeAttribute("aria-current");
  });
  const url = new URL(window.location.href);
  url.searchParams.set("photo", number);
  url.hash = "";
  history.replaceState(null, "", url);
  if (focusRel) main.querySelector(`a[rel="${focusRel}"]`)?.focus();
  return true;
}
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-gallery] [data-gallery-to]");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (galleryShow(link.closest("[data-gallery]"), link.dataset.galleryTo, link.getAttribute("rel"))) {
    event.preventDefault();
  }
});
document.addEventListener("keydown", (event) => {
  const gallery = event.target.closest && event.target.closest("[data-gallery]");
  if (!gallery || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
  const rel = event.key === "ArrowLeft" ? "prev" : "next";
  const arrow = gallery.querySelector(`[data-gallery-main] a[rel="${rel}"]`);
  if (arrow && galleryShow(gallery, arrow.dataset.galleryTo, rel)) event.preventDefault();
});
