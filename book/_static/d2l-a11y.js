// Accessible names for the parts of the page that the themes' scripts draw (book/_ext/a11y.py
// translates what is in the HTML already), and search snippets without raw TeX.
(() => {
  const MODE_NAMES = {light: "亮色", dark: "暗色", auto: "跟随系统"};

  // Names written into the themes' templates as literal English (no gettext to translate them).
  const LITERAL_NAMES = [
    ['nav[aria-label="Main"]', "aria-label", "全书目录"],
    ['nav[aria-label="Page"]', "aria-label", "本页"],
    ['img[alt="Binder logo"]', "alt", "Binder 标志"],
  ];
  const nameLiterals = () => {
    for (const [selector, attribute, name] of LITERAL_NAMES) {
      for (const element of document.querySelectorAll(selector)) element.setAttribute(attribute, name);
    }
  };

  // The colour-mode button: its name says what it is and which mode is on. The icons' titles
  // ("亮色", "System Settings") would be its visible label to axe and to speech input, and
  // would differ from the name, so the name alone carries them.
  const nameModeButtons = () => {
    const mode = document.documentElement.dataset.mode || "auto";
    for (const button of document.querySelectorAll(".theme-switch-button")) {
      for (const icon of button.querySelectorAll("[title]")) icon.removeAttribute("title");
      button.setAttribute("aria-label", `颜色模式：${MODE_NAMES[mode] || mode}`);
    }
  };

  // The search field's visible text is "搜索 Ctrl+K": its name comes from that text.
  const nameSearchField = () => {
    for (const button of document.querySelectorAll(".search-button-field[aria-label]")) {
      button.removeAttribute("aria-label");
    }
  };

  // sphinx-togglebutton's chevron buttons on the solutions: named after what they open.
  const nameToggleButtons = () => {
    for (const button of document.querySelectorAll("button.toggle-button")) {
      const title = button.closest(".admonition-title");
      const text = title ? title.textContent.trim().replace(/\s+/g, " ") : "";
      button.setAttribute("aria-label", text ? `显示或隐藏：${text}` : "显示或隐藏内容");
    }
  };

  // Search results: Sphinx cuts each snippet from the page's HTML, where MathJax has not run,
  // so `\(d^3\)` would show as is. Formulas become plain text before the snippet is cut.
  const GREEK = {alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", eta: "η", theta: "θ",
    lambda: "λ", mu: "μ", pi: "π", sigma: "σ", tau: "τ", phi: "φ", omega: "ω", Sigma: "Σ",
    times: "×", cdot: "·", le: "≤", ge: "≥", leq: "≤", geq: "≥", ne: "≠", neq: "≠", approx: "≈",
    infty: "∞", sum: "∑", prod: "∏", in: "∈", to: "→", ldots: "…", cdots: "⋯", partial: "∂",
    top: "ᵀ", log: "log", exp: "exp", max: "max", min: "min", pm: "±", mid: "|", quad: " ", qquad: " "};
  const wrap = (part) => (/^\s*[\w.]+\s*$/.test(part) ? part.trim() : `(${part})`);
  const texToText = (tex) => {
    let text = tex.replace(/\\[()[\]]/g, " ");
    for (let i = 0; i < 4; i++) {  // nested \frac{\hat{y}}{2} and the like, innermost first
      text = text.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, (m, a, b) => `${wrap(a)}/${wrap(b)}`)
        .replace(/\\(?:mathbf|mathrm|mathcal|boldsymbol|operatorname\*?|text|hat|bar|tilde|mathop|left|right)\s*\{([^{}]*)\}/g, "$1")
        .replace(/\\sqrt\{([^{}]*)\}/g, "√($1)");
    }
    return text
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in GREEK ? GREEK[name] : ""))
      .replace(/\\[,;:!]|\\ /g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  };
  const plainFormulas = () => {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.d2lPlain) return;
    const original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      for (const math of doc.querySelectorAll(".math")) {
        const walker = doc.createTreeWalker(math, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) walker.currentNode.data = texToText(walker.currentNode.data);
      }
      return original.call(this, doc.documentElement.outerHTML, anchor);
    };
    Search.htmlToText.d2lPlain = true;
  };

  // Figures from code keep at least 60 % of their drawn size on a phone, so their labels stay
  // readable; their box (d2l-a11y.css) scrolls sideways instead. Multi-panel figures in a
  // <picture> get a narrow layout on phones (book/_ext/narrow_figures.py) and need none of it.
  const MIN_SCALE = 0.6;
  const keepFiguresReadable = () => {
    for (const img of document.querySelectorAll("article .cell_output img:not(picture > img)")) {
      const apply = () => {
        if (!img.naturalWidth) return;
        img.style.minWidth = `${Math.round(img.naturalWidth * MIN_SCALE)}px`;
        img.classList.add("d2l-min-scale");
      };
      if (img.complete) apply();
      else img.addEventListener("load", apply, {once: true});
    }
  };

  const start = () => {
    keepFiguresReadable();
    nameLiterals();
    nameModeButtons();
    nameSearchField();
    nameToggleButtons();
    new MutationObserver(nameModeButtons).observe(document.documentElement,
      {attributes: true, attributeFilter: ["data-mode"]});
  };
  plainFormulas();  // before Sphinx's search runs the query (on DOMContentLoaded)
  // After sphinx-togglebutton has added its buttons (its DOMContentLoaded listener came first).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
