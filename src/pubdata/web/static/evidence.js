// Evidence by digest: a file chosen in <input type=file data-digests-into="evidence"> is read and hashed (SM3,
// sm-crypto) here in the browser, and its name and digest added as a line of the named textarea. The input has
// no name, so the file itself is never sent: the platform keeps the digest, the operator keeps the file.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-digests-into]").forEach(function (input) {
    input.addEventListener("change", async function () {
      const target = input.form.querySelector('textarea[name="' + input.dataset.digestsInto + '"]');
      const lines = [];
      for (const file of input.files) {
        const bytes = new Uint8Array(await file.arrayBuffer());
        lines.push(file.name.replace(/[,，\n]/g, " ") + ", " + window.sm3(Array.from(bytes)));
      }
      const kept = target.value.trim();
      target.value = (kept ? kept + "\n" : "") + lines.join("\n");
    });
  });
});
