// "Near me" on the results page: the browser's position becomes lat/lon in the filter form, sorted
// nearest first. Without JS (or without permission) the place list in the same fieldset does the job.
(() => {
  if (!("geolocation" in navigator)) return;

  function reveal(root) {
    root.querySelectorAll("[data-near-me]").forEach((button) => {
      button.hidden = false;
    });
  }

  function setField(form, name, value) {
    let input = form.querySelector(`input[type=hidden][name="${name}"]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-near-me]");
    if (!button) return;
    const form = button.closest("form");
    const error = form.querySelector("[data-near-me-error]");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setField(form, "lat", position.coords.latitude.toFixed(5));
        setField(form, "lon", position.coords.longitude.toFixed(5));
        const place = form.querySelector("select[name=near]");
        if (place) place.value = "";
        const sort = form.querySelector("select[name=sort]");
        if (sort) sort.value = "distance";
        button.disabled = false;
        form.requestSubmit();
      },
      () => {
        button.disabled = false;
        if (error) error.hidden = false;
      },
      { maximumAge: 300000, timeout: 10000 },
    );
  });

  // Choosing a place means "around that place", not around the position found before.
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name=near]") && event.target.value) {
      event.target.form.querySelectorAll("input[type=hidden][name=lat], input[type=hidden][name=lon]").forEach((input) => {
        input.remove();
      });
    }
  }, true);

  reveal(document);
  document.addEventListener("htmx:afterSwap", (event) => reveal(event.target));
})();
