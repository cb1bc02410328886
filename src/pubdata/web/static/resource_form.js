// The resource form without a round trip: "add a field" appends an empty row here (without a script the button
// asks the server for the same form with one more row), and the sample form carries what was typed already.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("resource-form");
  const template = document.getElementById("field-row-template");
  const add = form && form.querySelector("[data-testid=add-field]");
  if (add && template) {
    add.addEventListener("click", (event) => {
      event.preventDefault();
      const body = form.querySelector("#fields tbody");
      const index = body.querySelectorAll("tr").length;
      body.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__INDEX__", String(index)));
      body.lastElementChild.querySelector("input[name=field_name]").focus();
    });
  }
  const sample = document.getElementById("sample-form");
  if (sample && form) {
    sample.addEventListener("submit", () => {
      for (const name of ["code", "name", "description", "sector", "base_library", "update_frequency",
                          "time_span", "sharing", "opening", "declared_grade"]) {
        const source = form.elements.namedItem(name);
        if (!source || !source.value) continue;
        const copy = document.createElement("input");
        copy.type = "hidden";
        copy.name = name;
        copy.value = source.value;
        sample.appendChild(copy);
      }
    });
  }
});
