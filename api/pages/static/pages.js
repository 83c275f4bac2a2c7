// Conveniences only: every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The questionnaire counts answers as they are given.
  const form = document.querySelector("form[data-count-answers]");
  if (form) {
    const output = document.getElementById("answered-count");
    const progress = document.getElementById("answered-progress");
    const count = () => {
      const names = new Set();
      form.querySelectorAll("input[type=radio]:checked").forEach((input) => {
        if (input.value !== "unknown") names.add(input.name);
      });
      return names.size + Number(form.dataset.answeredElsewhere || 0);
    };
    form.addEventListener("change", () => {
      const answered = count();
      if (output) output.textContent = String(answered);
      if (progress) progress.value = answered;
    });
  }
  // A "Print" button where the script runs; without it, the page says how to print.
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
  // What is folded away is printed unfolded.
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("details").forEach((details) => { details.open = true; });
  });
});
