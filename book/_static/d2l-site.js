// The download menu's .ipynb and .md entries are plain links that open in a new tab
// (target="_blank", no `download` attribute: sphinx-book-theme's link-button macro). Servers
// send these files as JSON or text, so the browser shows the notebook's JSON instead of saving
// it (sphinx-book-theme issue #918). The files are on the book's own origin, where the
// `download` attribute makes the browser save them under their own name.
(() => {
  const makeDownloads = () => {
    const selector = "a.btn-download-notebook-button, a.btn-download-source-button";
    for (const link of document.querySelectorAll(selector)) {
      const name = decodeURIComponent(new URL(link.href, document.baseURI).pathname.split("/").pop());
      link.setAttribute("download", name);
      link.removeAttribute("target");
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", makeDownloads);
  else makeDownloads();
})();
