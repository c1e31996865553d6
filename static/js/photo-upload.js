// Direct photo upload to S3 (only loaded when the media storage is S3): presign -> POST to the
// bucket -> attach; then the photos block is refreshed. Without JS, or if anything here fails,
// the file input is simply submitted with the form through Django.
(function () {
  "use strict";
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
  }
  async function uploadOne(input, file) {
    var listing = input.dataset.listing;
    var declared = { listing: listing, size: file.size, content_type: file.type || "application/octet-stream" };
    var presigned = await post(input.dataset.presign, declared);
    var answer = await presigned.json();
    if (!presigned.ok) { return file.name + ": " + answer.error; }
    var body = new FormData();
    Object.keys(answer.fields).forEach(function (key) { body.append(key, answer.fields[key]); });
    body.append("file", file);
    var sent = await fetch(answer.url, { method: "POST", body: body });
    if (!sent.ok) { return file.name + ": " + input.dataset.failed; }
    var attached = await post(input.dataset.attach, Object.assign({ key: answer.key, name: file.name }, declared));
    if (!attached.ok) { return file.name + ": " + (await attached.json()).error; }
    return "";
  }
  document.addEventListener("change", async function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-presign]") || !input.files.length) { return; }
    var files = Array.prototype.slice.call(input.files);
    input.disabled = true;
    var errors = [];
    for (var i = 0; i < files.length; i++) {
      var problem = await uploadOne(input, files[i]);
      if (problem) { errors.push(problem); }
    }
    input.value = "";
    input.disabled = false;
    if (window.htmx) {
      await window.htmx.ajax("POST", input.dataset.refresh, { target: "#photos", swap: "outerHTML", source: input.form, values: { action: "photos" } });
    }
    if (errors.length) {
      var list = document.createElement("ul");
      list.className = "photo-rejected";
      list.setAttribute("role", "alert");
      errors.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); });
      var photos = document.getElementById("photos");
      if (photos) { photos.insertBefore(list, photos.children[2] || null); }
    }
  });
})();
