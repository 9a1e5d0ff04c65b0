/* The reply preview (a sandboxed iframe), its language switch, and the one-click buttons.
 *
 * The reply HTML comes from the server already escaped (customer text never becomes markup);
 * it is still shown only inside <iframe sandbox=""> (no scripts, no same-origin access).
 */
(function () {
  "use strict";
  var el = window.PayverifyView.el;
  var LANGUAGES = { en: "English", es: "Español", pt: "Português", fr: "Français", de: "Deutsch" };

  // A click runs once at a time: the button is disabled at once, so a double click is one call.
  function oneClick(button, work, options) {
    button.addEventListener("click", function () {
      if (button.disabled) { return; }
      var label = button.textContent;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      Promise.resolve().then(work).then(function () {
        button.removeAttribute("aria-busy");
        if (options && options.repeatable) { button.disabled = false; return; }
        button.textContent = (options && options.doneLabel) || ("✓ " + label);
      }, function () {
        button.removeAttribute("aria-busy");
        button.disabled = false;
      });
    });
    return button;
  }

  function button(label, kind, id) {
    var attrs = { type: "button", "class": "c-btn c-btn--sm c-btn--full" + (kind ? " c-btn--" + kind : ""), text: label };
    if (id) { attrs.id = id; }
    return el("button", attrs);
  }

  // The e-mail HTML's body, for the helpdesk editor: parsed inert by DOMParser (no script runs).
  function bodyHtml(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    return doc.body ? doc.body.innerHTML.trim() : html;
  }

  function show(state) {
    var reply = state.model.decision.reply;
    var frame = document.getElementById("pv-preview");
    if (!frame || !reply) { return; }
    document.getElementById("pv-subject").textContent = reply.subject;
    frame.srcdoc = reply.html;
    document.getElementById("pv-preview-lang").textContent = LANGUAGES[state.lang] || state.lang;
  }

  function languageSelect(state, handlers) {
    var select = el("select", { id: "pv-lang", "class": "c-field__input c-field__input--select pv-select" },
      Object.keys(LANGUAGES).map(function (code) {
        var option = el("option", { value: code, text: LANGUAGES[code] });
        if (code === state.lang) { option.selected = true; }
        return option;
      }));
    select.addEventListener("change", function () {
      select.disabled = true;
      handlers.changeLanguage(select.value).then(function () { select.disabled = false; select.focus(); });
    });
    return el("div", { "class": "pv-row" }, [el("label", { "for": "pv-lang", "class": "c-field__label", text: "Reply language" }), select]);
  }

  function section(state, handlers) {
    var reply = state.model.decision.reply;
    if (!reply) {
      return el("section", { "class": "pv-section" }, [el("h2", { text: "Reply" }), el("p", { "class": "pv-muted", text: "No reply proposed for this ticket." })]);
    }
    var frame = el("iframe", { id: "pv-preview", sandbox: "", title: "Reply preview", "class": "pv-preview", referrerpolicy: "no-referrer" });
    var nodes = [
      el("h2", { id: "pv-h-reply", text: "Reply preview" }),
      languageSelect(state, handlers),
      el("p", { "class": "pv-muted" }, [el("span", { id: "pv-preview-lang" }), " · ", el("span", { id: "pv-subject" })]),
      frame,
      oneClick(button("Insert reply into editor", "primary", "pv-insert"), handlers.insert, { repeatable: true })
    ];
    if (state.host.kind === "standalone") {
      nodes.push(oneClick(button("Send reply to the customer", null, "pv-send"), handlers.send, { doneLabel: "✓ Reply sent" }));
      nodes.push(el("div", { id: "pv-editor-box", hidden: "" }, [
        el("label", { "for": "pv-editor", "class": "c-field__label", text: "Editor (demo)" }),
        el("textarea", { id: "pv-editor", "class": "c-field__input c-field__input--area pv-editor", rows: "8" })]));
    }
    var node = el("section", { "class": "pv-section", "aria-labelledby": "pv-h-reply" }, nodes);
    // srcdoc is set once the iframe is in the document (show() runs after render).
    setTimeout(function () { show(state); }, 0);
    return node;
  }

  window.PayverifyReply = { section: section, show: show, bodyHtml: bodyHtml, oneClick: oneClick, button: button };
})();
