// The acceptance block: records what was shown, then the 【立即申请】 click, with the service
// named in data-service (the page's content security policy allows that origin and no other).
// The account token comes from the embedding page: AgreementsAcceptance.setToken(jwt), or
// #token=… in the address (a fragment is never sent to any server).
(function () {
  "use strict";
  var block = document.querySelector(".agreements-accept");
  if (!block) { return; }
  var service = block.getAttribute("data-service");
  var versionHash = block.getAttribute("data-version-hash");
  var box = block.querySelector("#agreements-accept-agree");
  var button = block.querySelector(".agreements-accept-submit");
  var status = block.querySelector(".agreements-accept-status");
  var details = block.querySelector(".agreements-accept-explanation");
  var shown = {}, scrolledToEnd = false, explanationOpened = false, token = null;
  var fromHash = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (fromHash) { token = decodeURIComponent(fromHash[1]); }

  function say(text) { status.textContent = text; }

  // Which passages were on screen, and whether the reader reached the end of the list.
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) { return; }
      if (entry.target.hasAttribute("data-end")) { scrolledToEnd = true; }
      else { shown[entry.target.getAttribute("data-clause")] = true; }
    });
  }, { threshold: 0.6 });
  block.querySelectorAll("[data-clause], [data-end]").forEach(function (el) { observer.observe(el); });
  details.addEventListener("toggle", function () { if (details.open) { explanationOpened = true; } });

  box.checked = false;  // never ticked in advance, not even by the browser's form restore
  button.disabled = true;
  box.addEventListener("change", function () { button.disabled = !box.checked; });

  function call(method, path, body) {
    return fetch(service + path, {
      method: method, mode: "cors", credentials: "omit",
      headers: Object.assign({ "Content-Type": "application/json" },
                             token ? { "Authorization": "Bearer " + token } : {}),
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || ("服务返回 " + response.status)); }
        return data;
      });
    });
  }

  function offerReceipt(receipt) {
    var blob = new Blob([JSON.stringify(receipt)], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "receipt-" + receipt.acceptance_id + ".json";
    link.textContent = "下载同意回执";
    say("已同意，记录编号 " + receipt.acceptance_id + "。");
    status.appendChild(link);
    block.setAttribute("data-acceptance-id", receipt.acceptance_id);
  }

  button.addEventListener("click", function () {
    if (!box.checked) { return; }
    if (!token) { say("请先登录，再同意本协议。"); return; }
    button.disabled = true;
    say("正在提交……");
    call("GET", "/v1/versions/current").then(function (current) {
      if (current.version_hash !== versionHash) {
        throw new Error("协议已更新，请刷新页面，阅读新版本后再同意。");
      }
      return call("POST", "/v1/presentations", {
        version_hash: versionHash, displayed_clauses: Object.keys(shown).sort(),
        explanation_opened: explanationOpened, scrolled_to_end: scrolledToEnd,
        viewport: { width: window.innerWidth, height: window.innerHeight },
        shown_at: new Date().toISOString()
      });
    }).then(function (presentation) {
      return call("POST", "/v1/acceptances", { version_hash: versionHash,
                                               presentation_id: presentation.presentation_id });
    }).then(function (receipt) {
      return call("GET", "/v1/acceptances/" + encodeURIComponent(receipt.acceptance_id));
    }).then(offerReceipt).catch(function (error) {
      say("未能完成：" + error.message);
      button.disabled = !box.checked;
    });
  });

  window.AgreementsAcceptance = { setToken: function (value) { token = value; } };
}());
