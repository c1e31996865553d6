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
