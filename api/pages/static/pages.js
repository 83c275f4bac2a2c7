// Conveniences only: every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A form sent back with errors: their summary takes the focus, so that it is read first.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // The questionnaire counts answers as they are given, and saves the draft as they change.
  const form = document.querySelector("form[data-count-answers]");
  if (form) {
    const unanswered = new Set(["", "unknown"]);
    const count = () => {
      const names = new Set();
      form.querySelectorAll("input[type=radio]:checked").forEach((input) => {
        if (!unanswered.has(input.value)) names.add(input.name);
      });
      form.querySelectorAll("select, input[type=text]").forEach((input) => {
        if (input.name && !unanswered.has(input.value.trim())) names.add(input.name);
      });
      return names.size;
    };
    const show = (kind, answered) => {
      document.querySelectorAll(`[data-count="${kind}"]`).forEach((element) => {
        if (element.tagName === "PROGRESS") {
          element.value = answered;
        } else if (element.dataset.template) {
          element.textContent = element.dataset.template
            .replace("{answered}", String(answered))
            .replace("{total}", element.dataset.total);
        }
      });
    };
    const status = document.getElementById("draft-status");
    const url = form.dataset.draftUrl;
    let timer = null;
    const save = () => {
      if (!url) return;
      const body = new URLSearchParams(new FormData(form));
      fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => {
          if (response.ok && status) status.textContent = form.dataset.savedText || "";
        })
        .catch(() => {
          // The form still saves the draft when it is sent.
        });
    };
    // Sending the form saves everything; a save still waiting would only come after it.
    form.addEventListener("submit", () => {
      if (timer) clearTimeout(timer);
    });
    form.addEventListener("change", () => {
      const answered = count();
      show("part", answered);
      show("all", answered + Number(form.dataset.answeredElsewhere || 0));
      const label = document.querySelector(`[data-part-count="${form.elements.part?.value}"]`);
      if (label && label.dataset.template) {
        label.textContent = label.dataset.template
          .replace("{answered}", String(answered))
          .replace("{total}", label.dataset.total);
      }
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 400);
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
