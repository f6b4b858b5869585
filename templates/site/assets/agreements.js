/* The agreements site's own behaviour on top of Material for MkDocs, with public DOM
 * events only (Material's own JavaScript is never patched). Loads nothing from other
 * hosts; every string is Chinese. The search lookup itself is assets/search.js. */
(function () {
  "use strict";

  /* The search panel under the header: the button opens it, every input (typed, pasted,
   * committed by an input method) searches; results show their whole text, the first one
   * is where Enter goes. The index is fetched when the panel first opens. */
  function searchPanel() {
    var panel = document.getElementById("agreements-search");
    var toggle = document.querySelector(".agreements-search__toggle");
    if (!panel || !toggle || !window.agreementsSearch) return;
    var box = panel.querySelector("input"), status = panel.querySelector("[role=status]");
    var list = panel.querySelector("ol"), index = null, loading = null;
    toggle.hidden = false;

    function load() {
      if (!loading) {
        loading = fetch(panel.getAttribute("data-index")).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }).then(function (data) { index = data; return data; });
      }
      return loading;
    }
    function item(doc) {  // the whole clause, unfolded, is the link to it
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = panel.getAttribute("data-base") + doc.url;
      a.className = "agreements-search__hit";
      var title = document.createElement("span");
      title.className = "agreements-search__title";
      title.textContent = doc.title;
      a.appendChild(title);
      doc.text.forEach(function (text) {
        var p = document.createElement("span");
        p.className = "agreements-search__text";
        p.textContent = text;
        a.appendChild(p);
      });
      li.appendChild(a);
      return li;
    }
    function show() {
      var query = box.value.trim();
      list.textContent = "";
      if (!query) { status.textContent = ""; return; }
      var found = window.agreementsSearch.find(index, query);
      if (!found.docs.length) {
        status.textContent = "本协议没有涉及“" + query + "”的条款。可以换个说法，或输入条款号，如 4.2.5、附录二第3条。";
        return;
      }
      status.textContent = (found.cited ? "引用“" + query + "”：" : "") + "找到 " + found.docs.length + " 条";
      found.docs.forEach(function (doc) { list.appendChild(item(index.docs[doc])); });
    }
    function search(event) {
      if (event && event.isComposing) return;  // mid-composition pinyin is not the query yet
      load().then(show, function () { status.textContent = "搜索索引无法加载，请刷新页面后重试。"; });
    }
    function open(opened) {
      panel.hidden = !opened;
      toggle.setAttribute("aria-expanded", String(opened));
      if (opened) { load(); box.focus(); }
    }
    toggle.addEventListener("click", function () { open(panel.hidden); });
    box.addEventListener("input", search);
    box.addEventListener("compositionend", search);
    box.addEventListener("keydown", function (event) {
      var first = list.querySelector("a");
      if (event.key === "Enter" && first) { event.preventDefault(); first.click(); }
      if (event.key === "Escape") { open(false); toggle.focus(); }
    });
    list.addEventListener("click", function (event) {
      if (event.target.closest("a")) open(false);
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) { event.preventDefault(); open(true); }
    });
  }

  /* Each clause's link (a.clause-link, href="#clause-id") copies how to cite the clause
   * (data-cite: 《数据技术服务使用协议》（2021年12月20日版）「用户的权利与义务」第4.2.5条)
   * followed by its absolute address, and says 已复制. */
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
      var cite = link.getAttribute("data-cite");
      var address = clauseAddress(link);
      copyText(cite ? cite + " " + address : address).then(function () {
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

  /* Switching versions opens the same page and clause in the other version: every
   * version has the same pages, so no sitemap is needed (there is none without a real
   * site URL). Runs before Material's own handler, which would need the sitemap. */
  function keepPageWhenSwitchingVersion() {
    var panel = document.getElementById("agreements-search");
    if (!panel) return;
    var root = new URL(panel.getAttribute("data-base"), window.location.href);
    window.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.md-version__link");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      if (window.location.pathname.indexOf(root.pathname) !== 0) return;
      event.preventDefault();
      event.stopPropagation();
      var rest = window.location.pathname.slice(root.pathname.length);
      var target = new URL(link.href);
      window.location.href = target.href.replace(/\/?$/, "/") + rest + window.location.hash;
    }, true);
  }

  /* The page carries dates only (the site is reproducible); the reader's clock says whether
   * the version is coming, in force, or replaced. A version takes effect at 00:00 北京时间. */
  function chineseDate(iso) {
    var p = iso.split("-");
    return Number(p[0]) + "年" + Number(p[1]) + "月" + Number(p[2]) + "日";
  }
  function dayBefore(iso) {
    var d = new Date(Date.parse(iso + "T00:00:00Z") - 86400000);
    return d.toISOString().slice(0, 10);
  }
  function markValidity() {
    var note = document.querySelector(".agreements-validity");
    if (!note) return;
    var effective = note.getAttribute("data-effective"), superseded = note.getAttribute("data-superseded");
    var now = Date.now(), label;
    if (now < Date.parse(effective + "T00:00:00+08:00")) {
      label = "将于" + chineseDate(effective) + "生效";
    } else if (superseded && now >= Date.parse(superseded + "T00:00:00+08:00")) {
      label = "已被新版本替代：有效期为" + chineseDate(effective) + "至" + chineseDate(dayBefore(superseded)) +
        "，依本版本签订的合同继续有效";
    } else {
      label = "现行有效：自" + chineseDate(effective) + "起生效";
    }
    note.querySelector(".agreements-validity__label").textContent = label + "。";
  }

  /* 版本比较: the two lists open the pre-rendered redline of the pair, older first. */
  function comparePicker() {
    var form = document.querySelector("form.compare-picker");
    if (!form) return;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = form.querySelector("#compare-older").value, b = form.querySelector("#compare-newer").value;
      if (a === b) return;
      var older = a < b ? a : b, newer = a < b ? b : a;
      window.location.href = "../../" + newer + "/compare/" + older + "/";
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

  searchPanel();
  copyClauseLinks();
  keepClauseWhenSwitching();
  keepPageWhenSwitchingVersion();
  markValidity();
  comparePicker();
  nameVersionButton();
})();
