// Issue page: a community card has no holder, so the holder and wellbeing fields are hidden while
// "community" is chosen. Only a convenience: the server ignores holder fields of a community card.
(() => {
  const form = document.querySelector("[data-card-form]");
  if (!form) {
    return;
  }
  const personalOnly = form.querySelectorAll("[data-personal-only]");
  const update = () => {
    const chosen = form.querySelector("input[name=card_type]:checked");
    const community = chosen !== null && chosen.value === "community";
    personalOnly.forEach((element) => {
      element.hidden = community;
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "card_type") {
      update();
    }
  });
  update();
})();
