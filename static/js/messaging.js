// A conversation's composer: a refused message (form error 400, blocked 403, too fast 429) comes back as the
// composer with its error; show it in place instead of the whole-page error handler of bozor.js.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  const target = event.detail.target;
  if (xhr && target && target.id === "composer" && [400, 403, 429].includes(xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
