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
