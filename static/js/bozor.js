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

// Live filtering never replaces the field being typed into. A refresh of the results page (the
// filter form, the facet counts and the results, fired when another field changed) may land while
// the visitor types in a price or a search box: the fresh HTML then keeps the element already on
// the page (data-hx-preserve), so its value, caret and focus survive; everything else is swapped.
// Only forms that ask for it (data-keep-typing): elsewhere a re-rendered field may carry news.
const TYPED =
  "[data-keep-typing] :is(input:not([type]), input[type=text], input[type=search], input[type=number], " +
  "input[type=email], input[type=tel], input[type=url], textarea)";
let keptField = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  keptField = null;
  const detail = event.detail;
  const field = document.activeElement;
  if (!detail.shouldSwap || !field || !field.id || !field.matches(TYPED)) return;
  if (!(detail.target instanceof Element) || !detail.target.contains(field)) return;
  if (typeof detail.serverResponse !== "string" || /^\s*<!doctype/i.test(detail.serverResponse)) return;
  const fresh = document.createElement("template");
  fresh.innerHTML = detail.serverResponse;
  const twin = fresh.content.getElementById(field.id);
  if (!twin || twin.tagName !== field.tagName) return;
  twin.setAttribute("data-hx-preserve", "true");
  detail.serverResponse = fresh.innerHTML;
  keptField = { field, start: field.selectionStart, end: field.selectionEnd };
});
document.addEventListener("htmx:afterSwap", () => {
  // Browsers without Element.moveBefore() detach the kept field while swapping, which drops focus.
  if (!keptField) return;
  const { field, start, end } = keptField;
  keptField = null;
  if (document.activeElement === field || !field.isConnected) return;
  field.focus({ preventScroll: true });
  try {
    if (start !== null) field.setSelectionRange(start, end);
  } catch (error) {
    // number fields have no selection range
  }
});
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
