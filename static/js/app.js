// Behaviour shared by every page. No inline scripts anywhere: pages carry data-* attributes instead.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
