// Behaviour shared by every page. No inline scripts anywhere: pages carry data-* attributes instead.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// The header's Menu button (shown on phone widths by the stylesheet): the pages, the language and the
// text size behind one button. Without JavaScript everything stays shown, as on a wide screen.
(() => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".site-header__toggle");
  if (!toggle) {
    return;
  }
  function setOpen(open) {
    header.classList.toggle("site-header--open", open);
    toggle.setAttribute("aria-expanded", String(open));
  }
  toggle.hidden = false;
  header.classList.add("site-header--compact");
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// A refusal shown next to a field is about the value that was sent: once that value is changed, the
// message no longer applies and goes (the server checks the new value again on submit).
(() => {
  const sent = new WeakMap();
  document.querySelectorAll(".field--invalid input, .field--invalid select, .field--invalid textarea")
    .forEach((input) => sent.set(input, input.value));
  const clear = (event) => {
    const input = event.target;
    const field = input.closest && input.closest(".field--invalid");
    if (!field || !sent.has(input) || sent.get(input) === input.value) {
      return;
    }
    field.querySelectorAll(".field__error").forEach((error) => {
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
      if (described.length) {
        input.setAttribute("aria-describedby", described.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
      error.remove();
    });
    field.classList.remove("field--invalid");
    input.removeAttribute("aria-invalid");
    sent.delete(input);
  };
  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
