/* Embeds the CRM ROI calculator in any page with one tag:
 *
 *   <script src="https://SERVICE/static/embed.js" data-roi-service="https://SERVICE" async></script>
 *
 * It inserts an <iframe> showing https://SERVICE/ right after the script tag (or into the element
 * named by data-target="#css-selector"), 100 % wide, and keeps its height equal to the
 * calculator's content: the page inside posts {type: "roi-service:height", height} messages and
 * only messages from the service's origin and from this very iframe are obeyed. The calculator
 * runs entirely inside the iframe, on the service's origin; the host page shares no script,
 * style or cookie with it.
 *
 * Optional attributes: data-lang="uk" | "en" (otherwise the visitor's browser language),
 * data-title (the iframe's accessible name), data-height (the initial height in px, 1400),
 * data-events (opt in: after every result the calculator posts its inputs and key figures to
 * this page's origin only, and embed.js dispatches them as a "roi-service:result" event on
 * document; see docs/embedding.md).
 */
(function () {
  "use strict";
  var script =
    document.currentScript || document.querySelector("script[data-roi-service]") || document.querySelector('script[src*="/static/embed.js"]');
  if (!script) return;
  var configured = script.getAttribute("data-roi-service");
  var base = configured ? new URL(configured.replace(/\/*$/, "/"), location.href) : new URL("..", script.src);
  var src = new URL("./", base);
  var lang = script.getAttribute("data-lang");
  if (lang === "uk" || lang === "en") src.searchParams.set("lang", lang);
  var events = script.hasAttribute("data-events");
  if (events) src.searchParams.set("events", location.origin); // the only origin it posts to

  var frame = document.createElement("iframe");
  frame.src = src.href;
  frame.title = script.getAttribute("data-title") || (lang === "uk" ? "Калькулятор окупності CRM" : "CRM ROI calculator");
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  frame.setAttribute("allow", "clipboard-write"); // for the calculator's "Copy link"
  frame.style.cssText = "display:block;width:100%;max-width:100%;border:0;overflow:hidden;height:" + (parseInt(script.getAttribute("data-height"), 10) || 1400) + "px";

  var target = script.getAttribute("data-target") ? document.querySelector(script.getAttribute("data-target")) : null;
  if (target) target.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== src.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === "roi-service:height" && typeof data.height === "number" && data.height > 0 && data.height < 100000) {
      frame.style.height = Math.ceil(data.height) + "px";
    } else if (events && data && data.type === "roi-service:result") {
      document.dispatchEvent(new CustomEvent("roi-service:result", { detail: data }));
    }
  });
})();
