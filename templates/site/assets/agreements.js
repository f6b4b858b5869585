/* The agreements site's own behaviour on top of Material for MkDocs, with public DOM
 * events only (the few patches of Material's own JavaScript are in
 * generator/site/material.py). Loads nothing; every string is Chinese. */
(function () {
  "use strict";

  /* Search whatever arrives in the search box. Material searches on `keyup`, so
   * text pasted with the mouse (an `input` event and no key) or committed by an
   * input method (`compositionend`, sometimes with no key released after it)
   * searched nothing. Material ignores a keyup that leaves the query unchanged. */
  function searchOnEveryInput() {
    var box = document.querySelector("input.md-search__input");
    if (!box) return;
    var search = function () {
      box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    };
    box.addEventListener("input", function (event) {
      if (!event.isComposing) search();  // mid-composition pinyin is not the query yet
    });
    box.addEventListener("compositionend", search);
  }

  /* Each clause's link (a.clause-link, href="#clause-id") copies the clause's
   * absolute address, without the search's ?h= highlight, and says 已复制. */
  function clauseAddress(link) {
    var url = new URL(window.location.href);
    url.search = "";
    url.hash = link.getAttribute("href");
    return url.href;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {  // plain http: the older way
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var copied = document.execCommand("copy");
      area.remove();
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function confirm(link, message) {
    var note = link.parentNode.querySelector(".clause-link__note");
    if (!note) {
      note = document.createElement("span");
      note.className = "clause-link__note";
      note.setAttribute("role", "status");
      link.insertAdjacentElement("afterend", note);
    }
    note.textContent = message;
    window.clearTimeout(note.timer);
    note.timer = window.setTimeout(function () { note.remove(); }, 2500);
  }

  function copyClauseLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.clause-link");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      var address = clauseAddress(link);
      copyText(address).then(function () {
        confirm(link, "已复制");
      }, function () {
        window.location.hash = link.getAttribute("href");  // the address bar now holds it
        confirm(link, "无法自动复制，请复制地址栏中的链接");
      });
    });
  }

  /* "查看当前版本的本页" keeps the clause the reader is at. */
  function keepClauseWhenSwitching() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-agreements-keep-hash]");
      if (link && window.location.hash) {
        link.href = link.href.split("#")[0] + window.location.hash;
      }
    });
  }

  /* Material names the version button "选择当前版本" whatever it shows; a name
   * that contains the visible text lets speech users say what they see
   * (WCAG 2.5.3, axe-core's label-content-name-mismatch). */
  function nameVersionButton() {
    var header = document.querySelector(".md-header");
    if (!header) return;
    var name = function () {
      var button = header.querySelector(".md-version__current");
      if (!button) return false;
      button.setAttribute("aria-label", "版本：" + button.textContent.trim() + "，选择其他版本");
      return true;
    };
    if (name()) return;
    var observer = new MutationObserver(function () {
      if (name()) observer.disconnect();
    });
    observer.observe(header, { childList: true, subtree: true });
  }

  searchOnEveryInput();
  copyClauseLinks();
  keepClauseWhenSwitching();
  nameVersionButton();
})();
