// The urge-surfing timer: a small countdown. Without JavaScript the wave still rises and falls.
(function () {
  for (const timer of document.querySelectorAll(".timer")) {
    const display = timer.querySelector(".timer-display");
    const start = timer.querySelector(".timer-start");
    const total = Number(timer.dataset.seconds);
    const show = (left) => {
      display.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    };
    start.hidden = false;
    start.addEventListener("click", () => {
      const ends = Date.now() + total * 1000;
      start.hidden = true;
      const tick = () => {
        const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
        show(left);
        if (left > 0) setTimeout(tick, 500);
        else display.textContent = "Done — how strong is the craving now?";
      };
      tick();
    });
  }
})();
