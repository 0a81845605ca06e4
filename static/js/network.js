// Coordinator and admin forms: more rows for a list of municipalities, and only the scope field a role needs.
(() => {
  const renumber = (row, prefix, index) => {
    const pattern = new RegExp(`${prefix}-\\d+-`, "g");
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((element) => {
      ["name", "id", "for", "aria-describedby"].forEach((attribute) => {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(pattern, `${prefix}-${index}-`));
      });
    });
  };

  document.querySelectorAll("[data-formset-add]").forEach((button) => {
    const prefix = button.dataset.formsetAdd;
    const container = document.querySelector(`[data-formset="${prefix}"]`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    if (!container || !total) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const rows = container.querySelectorAll("[data-formset-row]");
      const last = rows[rows.length - 1];
      const row = last.cloneNode(true);
      const index = Number(total.value);
      renumber(row, prefix, index);
      row.querySelectorAll("input").forEach((input) => { input.value = ""; });
      row.querySelectorAll(".field__error").forEach((error) => error.remove());
      row.querySelectorAll(".field--invalid").forEach((field) => field.classList.remove("field--invalid"));
      last.after(row);
      total.value = String(index + 1);
      row.querySelector("input").focus();
    });
  });

  document.querySelectorAll("form[data-role-scopes]").forEach((form) => {
    const role = form.querySelector("select[name=role]");
    if (!role) return;
    // The site the page was opened for (`?organisation_id=`) or the one chosen last: picked again whenever
    // the role chosen works at a site of its kind.
    const sites = form.querySelector("select[name=organisation_id]");
    let wanted = sites ? sites.value : "";
    if (sites) sites.addEventListener("change", () => { wanted = sites.value; });
    const show = () => {
      const site = role.value === "distributor" || role.value === "venue";
      form.querySelectorAll("[data-scope=site]").forEach((part) => { part.hidden = !site; });
      form.querySelectorAll("[data-scope=area]").forEach((part) => { part.hidden = role.value !== "area_coordinator"; });
      // Required only where shown: the role chosen works at a site, or in an area.
      form.querySelectorAll("[data-scope] select").forEach((select) => {
        const shown = !select.closest("[data-scope]").hidden;
        select.required = shown;
        select.setAttribute("aria-required", String(shown));
      });
      // Only the sites of the chosen role's kind: a venue user works at a venue.
      form.querySelectorAll("select[name=organisation_id] option[data-kind]").forEach((option) => {
        option.hidden = site && option.dataset.kind !== role.value;
        option.disabled = option.hidden;
        if (option.hidden && option.selected) option.selected = false;
        if (!option.hidden && wanted && option.value === wanted) option.selected = true;
      });
    };
    role.addEventListener("change", show);
    show();
  });
})();
