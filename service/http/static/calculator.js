/* The CRM ROI calculator page: reads the form, asks the roi-service API (POST /payback with the
 * funnel embedded as `evaluation`), and draws the answer. Plain JS, no dependencies, no build.
 *
 * The API's base URL is the directory above this script's /static/ (so the page works at the
 * service's root and behind a path prefix); a `data-roi-service="https://SERVICE"` attribute on
 * the script tag, or `window.ROI_SERVICE`, overrides it.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = resolveBase();
  var DEBOUNCE_MS = 250;
  var MIN_STAGES = 2;
  var MAX_STAGES = 10;
  var MAX_COST_LINES = 20;
  var SVG_NS = "http://www.w3.org/2000/svg";

  function resolveBase() {
    var configured = (script && script.getAttribute("data-roi-service")) || window.ROI_SERVICE;
    if (configured) return String(configured).replace(/\/+$/, "") + "/";
    if (script && script.src) return new URL("..", script.src).href;
    return new URL("/", location.href).href;
  }

  // ---- words ---------------------------------------------------------------------------------

  var TEXT = {
    en: {
      pageTitle: "CRM ROI calculator",
      skip: "Skip to the inputs",
      title: "What is a CRM worth to you?",
      lede: "Describe your sales funnel before the CRM and the effect you expect from it. The calculator shows the extra revenue a month, when the investment pays back, and every step of the reckoning.",
      summaryTitle: "Result",
      gainLabel: "Extra gain a month",
      upliftLabel: "Revenue growth",
      paybackLabel: "Pays back in",
      inputsTitle: "Your numbers",
      funnelLegend: "Sales funnel, a month",
      funnelHint: "Top first: leads, then each stage down to won deals. For the top stage the uplift is the growth of its volume; for every other stage, the improvement of the conversion from the stage above.",
      addStage: "+ Add a stage",
      dealLegend: "Deals and money",
      dealValue: "Average deal value",
      dealUplift: "Average deal uplift, %",
      margin: "Gross margin, %",
      marginHint: "100 % counts all extra revenue as gain, as the post does.",
      currency: "Currency",
      oneTimeLegend: "One-time costs",
      monthlyLegend: "Monthly costs",
      addCost: "+ Add a cost",
      perSeatLegend: "Licences per seat",
      perSeatHint: "The CRM vendor's price: seats × price per seat a month. Billed annually, each year is paid in advance, in full.",
      addLicence: "+ Add a licence",
      seats: "Seats",
      pricePerSeat: "Price per seat a month",
      billing: "Billed",
      billingMonthly: "monthly",
      billingAnnual: "annually",
      escalation: "Price rise a year, %",
      licenceN: "Licence {n}",
      removeLicence: "Remove licence {n}",
      timeLegend: "Time and money",
      rampUp: "Ramp-up, months",
      rampUpHint: "Ramp-up: months until the full effect; 0 means from the first month.",
      horizon: "Horizon, months",
      discount: "Annual discount rate, %",
      riskSummary: "Risk adjustment",
      riskBenefits: "Benefits haircut, %",
      riskCosts: "Costs contingency, %",
      rounding: "Counts",
      roundingWhole: "whole units, as the post rounds",
      roundingExact: "exact, fractional",
      assumption: "A CRM is not magic: the effects are your assumptions. Every figure here follows from them, step by step.",
      resultsTitle: "Details",
      staleNote: "These figures are for your last valid numbers. Fix the highlighted field to update them.",
      funnelChart: "Funnel before and after",
      before: "before",
      after: "after",
      cashChart: "Cumulative cash flow",
      metricsTitle: "Over the horizon",
      stepsTitle: "How it is calculated",
      footer: "Computed by the roi-service API:",
      copyLink: "Copy link",
      printPdf: "Print / PDF",
      downloadPdf: "Download PDF",
      pdfBusy: "Preparing the PDF…",
      pdfSaved: "PDF saved: {file}.",
      pdfFailed: "The PDF could not be made",
      pdfBusyService: "The service is busy; try the PDF again in {s} s.",
      pdfUnreachable: "The service cannot be reached: no PDF. Try again in a moment.",
      pdfFixFirst: "Fix the highlighted field first: the PDF is of the numbers as they are now.",
      printMeta: "Computed on {date} by the roi-service API, model {version}.",
      csvCash: "Monthly cash flows (CSV)",
      csvYears: "Yearly table (CSV)",
      linkCopied: "Link copied: it opens this business case with these numbers.",
      linkNotCopied: "Copy this link: it opens this business case.",
      stage: "Stage",
      stageN: "Stage {n}",
      fieldOf: "{label} ({row})",
      costN: "{kind}, line {n}",
      stageName: "Name",
      stageCount: "Count a month",
      upliftTop: "Volume growth, %",
      upliftConv: "Conversion uplift, %",
      removeStage: "Remove stage {n}",
      costName: "What",
      costAmount: "Amount",
      removeCost: "Remove cost {n}",
      remove: "Remove",
      aMonth: "a month",
      revenueFromTo: "revenue {from} → {to}",
      gainAtMargin: "revenue {revenue} × margin {margin}",
      oneTimeNote: "one-time costs {amount}",
      noPayback: "not within {h}",
      paidAlready: "nothing to pay back",
      months: "{n} months",
      enterNumber: "Enter a number.",
      updated: "Updated: {gain} a month; pays back in {payback}.",
      staleStatus: "Not updated: check the highlighted field. The figures above are for your last valid numbers.",
      unreachable: "The calculator service cannot be reached; the figures shown are from the last successful calculation.",
      failed: "The service could not calculate this",
      busy: "The calculator service is busy; trying again in {s} s.",
      conversion: "conversion {from} → {to}",
      breakEven: "break-even {t}",
      month: "month",
      cashAria: "Cumulative cash flow by month, from {first} in month 0 to {last} in month {h}. {be}",
      funnelAria: "Funnel before and after: {items}.",
      mTotalBenefits: "Benefits, total",
      mTotalCosts: "Costs, total",
      mNet: "Net gain over the horizon",
      mNpv: "Net present value (NPV)",
      mRoi: "Return on investment (ROI)",
      mIrr: "Internal rate of return, a year",
      mDiscPayback: "Discounted payback",
      mBreakEven: "Pays for itself at",
      mProductivity: "Time saved, a month",
      productivityLegend: "Time saved (optional)",
      prodUsers: "People using the CRM",
      prodHours: "Hours each saves a month",
      prodCost: "Cost of an hour of their time",
      prodRealization: "Of that, put to use, %",
      breakEvenValue: "{share} of the expected effect",
      scenarioLegend: "Scenarios: share of the expected effect, %",
      conservative: "Conservative",
      expected: "Expected",
      optimistic: "Optimistic",
      scenariosTitle: "Conservative, expected, optimistic",
      scenarioNote: "{scale} of the effect · NPV {npv}",
      yearsTitle: "Year by year",
      tornadoChart: "What moves the monthly gain most (each assumption ±20 %)",
      tornadoAria: "Monthly gain when one assumption moves by 20 % down and up: {items}",
      yearCol: "Year",
      year0: "start",
      benefitsCol: "Benefits",
      costsCol: "Costs",
      netCol: "Net",
      pvNetCol: "Net, present value",
      mRiskBenefit: "Benefit a month after risk",
      nothing: "—",
      stageDefaults: ["leads", "opportunities", "deals"],
      stageNew: "stage {n}",
      costDefaults: { one_time: "licence, integrations, consulting", monthly: "subscription", per_seat: "CRM licences" },
      costNew: { one_time: "one-time cost {n}", monthly: "monthly cost {n}", per_seat: "licence {n}" },
      discounted: "discounted",
      cumulative: "cumulative",
      sureLegend: "How sure?",
      sureHint: "The effects are estimates. Say how sure you are of them: the calculator prices 8,192 cases within your ranges and answers how likely the CRM is to pay back.",
      sureLevel: "How sure are you of the effects?",
      sureLow: "not very: ×0 to ×2",
      sureFair: "fairly: ×½ to ×1½",
      sureHigh: "very: ±20 %",
      sureWithin: "Pays back within, months",
      sureRanges: "Ranges: 9 cases in 10 fall inside",
      rangeFrom: "from",
      rangeTo: "to",
      rangeFromOf: "From: {what}",
      rangeToOf: "To: {what}",
      sureTitle: "How sure: the chance that it pays back",
      sureSentence: "{p} chance it pays back within {m}",
      sureChart: "Chance of having paid back, by month",
      sureAria: "Chance of having paid back by each month: {items}.",
      sureAt: "month {m}: {p}",
      sureNpv: "NPV in 8 cases of 10",
      sureBetween: "{low} to {high}",
      sureLoss: "Chance of a loss (NPV below zero)",
      sureDriver: "Drives the risk most",
      sureShare: "{what} ({share} of the spread)",
      csvCurve: "Payback curve (CSV)",
      csvPercentiles: "Percentiles (CSV)",
    },
    uk: {
      pageTitle: "Калькулятор окупності CRM",
      skip: "Перейти до вхідних даних",
      title: "Скільки CRM принесе саме вам?",
      lede: "Опишіть воронку продажів до CRM і ефект, якого від неї очікуєте. Калькулятор покаже додатковий дохід на місяць, коли окупиться інвестиція, і кожен крок розрахунку.",
      summaryTitle: "Результат",
      gainLabel: "Додаткова вигода на місяць",
      upliftLabel: "Зростання виручки",
      paybackLabel: "Окупиться за",
      inputsTitle: "Ваші показники",
      funnelLegend: "Воронка продажів, на місяць",
      funnelHint: "Згори вниз: ліди, далі кожен етап аж до завершених угод. Для верхнього етапу приріст — це зростання його кількості; для решти — покращення конверсії з етапу вище.",
      addStage: "+ Додати етап",
      dealLegend: "Угоди й гроші",
      dealValue: "Середня сума угоди",
      dealUplift: "Зростання середньої суми, %",
      margin: "Валова маржа, %",
      marginHint: "100 % рахує весь додатковий дохід вигодою, як у статті.",
      currency: "Валюта",
      oneTimeLegend: "Одноразові витрати",
      monthlyLegend: "Щомісячні витрати",
      addCost: "+ Додати витрату",
      perSeatLegend: "Ліцензії за місце",
      perSeatHint: "Ціна постачальника CRM: місця × ціна за місце на місяць. За щорічної оплати кожен рік сплачується наперед і повністю.",
      addLicence: "+ Додати ліцензію",
      seats: "Кількість місць",
      pricePerSeat: "Ціна за місце на місяць",
      billing: "Оплата",
      billingMonthly: "щомісяця",
      billingAnnual: "щороку",
      escalation: "Подорожчання за рік, %",
      licenceN: "Ліцензія {n}",
      removeLicence: "Видалити ліцензію {n}",
      timeLegend: "Час і гроші",
      rampUp: "Вихід на повний ефект, місяців",
      rampUpHint: "Вихід на повний ефект: місяців до повної вигоди; 0 — з першого місяця.",
      horizon: "Горизонт, місяців",
      discount: "Річна ставка дисконтування, %",
      riskSummary: "Поправка на ризик",
      riskBenefits: "Зменшення вигоди, %",
      riskCosts: "Резерв на витрати, %",
      rounding: "Кількості",
      roundingWhole: "цілі одиниці, як у статті",
      roundingExact: "точні, дробові",
      assumption: "CRM — не панацея: ефекти — це ваші припущення. Кожна цифра тут випливає з них, крок за кроком.",
      resultsTitle: "Подробиці",
      staleNote: "Ці цифри — для останніх коректних даних. Виправте позначене поле, щоб їх оновити.",
      funnelChart: "Воронка до і після",
      before: "до",
      after: "після",
      cashChart: "Накопичений грошовий потік",
      metricsTitle: "За весь горизонт",
      stepsTitle: "Як це пораховано",
      footer: "Розраховано API roi-service:",
      copyLink: "Скопіювати посилання",
      printPdf: "Друк / PDF",
      downloadPdf: "Завантажити PDF",
      pdfBusy: "Готуємо PDF…",
      pdfSaved: "PDF збережено: {file}.",
      pdfFailed: "PDF не вдалося створити",
      pdfBusyService: "Сервіс зайнятий; спробуйте PDF ще раз за {s} с.",
      pdfUnreachable: "Сервіс недоступний: PDF не отримано. Спробуйте ще раз за хвилину.",
      pdfFixFirst: "Спершу виправте позначене поле: PDF — для чисел, які є зараз.",
      printMeta: "Розраховано {date} API roi-service, модель {version}.",
      csvCash: "Грошові потоки за місяцями (CSV)",
      csvYears: "Таблиця за роками (CSV)",
      linkCopied: "Посилання скопійовано: воно відкриває цей розрахунок з цими числами.",
      linkNotCopied: "Скопіюйте це посилання: воно відкриває цей розрахунок.",
      stage: "Етап",
      stageN: "Етап {n}",
      fieldOf: "{label} ({row})",
      costN: "{kind}, рядок {n}",
      stageName: "Назва",
      stageCount: "Кількість на місяць",
      upliftTop: "Зростання кількості, %",
      upliftConv: "Зростання конверсії, %",
      removeStage: "Видалити етап {n}",
      costName: "Що",
      costAmount: "Сума",
      removeCost: "Видалити витрату {n}",
      remove: "Видалити",
      aMonth: "на місяць",
      revenueFromTo: "виручка {from} → {to}",
      gainAtMargin: "виручка {revenue} × маржа {margin}",
      oneTimeNote: "одноразові витрати {amount}",
      noPayback: "не в межах {h}",
      paidAlready: "немає що окупати",
      months: "{n} місяців",
      enterNumber: "Введіть число.",
      updated: "Оновлено: {gain} на місяць; окупиться за {payback}.",
      staleStatus: "Не оновлено: перевірте позначене поле. Цифри вище — для останніх коректних даних.",
      unreachable: "Сервіс калькулятора недоступний; показано цифри останнього вдалого розрахунку.",
      failed: "Сервіс не зміг це порахувати",
      busy: "Сервіс калькулятора зайнятий; повторимо за {s} с.",
      conversion: "конверсія {from} → {to}",
      breakEven: "окупність {t}",
      month: "місяць",
      cashAria: "Накопичений грошовий потік по місяцях: від {first} у місяці 0 до {last} у місяці {h}. {be}",
      funnelAria: "Воронка до і після: {items}.",
      mTotalBenefits: "Вигода, усього",
      mTotalCosts: "Витрати, усього",
      mNet: "Чиста вигода за горизонт",
      mNpv: "Чиста приведена вартість (NPV)",
      mRoi: "Рентабельність інвестицій (ROI)",
      mIrr: "Внутрішня норма дохідності, річна",
      mDiscPayback: "Дисконтована окупність",
      mBreakEven: "Окупається вже при",
      mProductivity: "Зекономлений час, на місяць",
      productivityLegend: "Зекономлений час (необов’язково)",
      prodUsers: "Людей працює в CRM",
      prodHours: "Годин економить кожен за місяць",
      prodCost: "Вартість години їхнього часу",
      prodRealization: "З них використано з користю, %",
      breakEvenValue: "{share} очікуваного ефекту",
      scenarioLegend: "Сценарії: частка очікуваного ефекту, %",
      conservative: "Обережний",
      expected: "Очікуваний",
      optimistic: "Оптимістичний",
      scenariosTitle: "Обережний, очікуваний, оптимістичний",
      scenarioNote: "{scale} ефекту · NPV {npv}",
      yearsTitle: "За роками",
      tornadoChart: "Що найбільше змінює щомісячну вигоду (кожне припущення ±20 %)",
      tornadoAria: "Щомісячна вигода, коли одне припущення змінюється на 20 % вниз і вгору: {items}",
      yearCol: "Рік",
      year0: "старт",
      benefitsCol: "Вигоди",
      costsCol: "Витрати",
      netCol: "Чистий потік",
      pvNetCol: "Чистий, приведена вартість",
      mRiskBenefit: "Вигода на місяць з поправкою на ризик",
      nothing: "—",
      stageDefaults: ["ліди", "потенційні угоди", "завершені угоди"],
      stageNew: "етап {n}",
      costDefaults: { one_time: "ліцензія, інтеграції, консультації", monthly: "абонплата", per_seat: "ліцензії CRM" },
      costNew: { one_time: "одноразова витрата {n}", monthly: "щомісячна витрата {n}", per_seat: "ліцензія {n}" },
      discounted: "дисконтований",
      cumulative: "накопичений",
      sureLegend: "Наскільки ви певні?",
      sureHint: "Ефекти — це оцінки. Скажіть, наскільки ви в них певні: калькулятор порахує 8 192 випадки у ваших межах і покаже, наскільки ймовірно, що CRM окупиться.",
      sureLevel: "Наскільки ви певні щодо ефектів?",
      sureLow: "не дуже: ×0 – ×2",
      sureFair: "досить: ×½ – ×1½",
      sureHigh: "дуже: ±20 %",
      sureWithin: "Окупиться за, місяців",
      sureRanges: "Межі: 9 випадків з 10 — усередині",
      rangeFrom: "від",
      rangeTo: "до",
      rangeFromOf: "Від: {what}",
      rangeToOf: "До: {what}",
      sureTitle: "Наскільки певно: імовірність окупності",
      sureSentence: "З імовірністю {p} окупиться за {m}",
      sureChart: "Імовірність окупитися, по місяцях",
      sureAria: "Імовірність окупитися до кожного місяця: {items}.",
      sureAt: "місяць {m}: {p}",
      sureNpv: "NPV у 8 випадках з 10",
      sureBetween: "від {low} до {high}",
      sureLoss: "Імовірність збитку (NPV менше нуля)",
      sureDriver: "Найбільше впливає на ризик",
      sureShare: "{what} ({share} розкиду)",
      csvCurve: "Крива окупності (CSV)",
      csvPercentiles: "Процентилі (CSV)",
    },
  };

  // Step labels in Ukrainian by the step's stable `key`, for an API that answers in English only
  // (the API words them itself when it answers Content-Language: uk).
  var UK_STEPS = {
    top: "{name}: більший обсяг ({u})",
    volume: "{name}: зростання разом з «{above}»",
    conversion: "{name}: краща конверсія ({u})",
    revenue_at_baseline_deal_value: "виручка за старої середньої суми угоди",
    projected_revenue: "виручка із середньою сумою угоди {u}",
    baseline_revenue: "виручка до впровадження CRM",
    revenue_uplift: "додаткова виручка за місяць",
    revenue_uplift_ratio: "приріст виручки відносно попередньої",
    monthly_gain: "щомісячний виграш з урахуванням валової маржі",
  };

  var lang = initialLanguage();

  // ---- the page's state in its URL ------------------------------------------------------------
  // The fragment (#s=...) holds every input as typed, so a link opens the same business case;
  // a fragment never reaches a server or its logs. Version 1; keys this page does not know are
  // ignored and missing ones keep their defaults, so old links keep working as fields are added.

  var SHARED_INPUTS = ["currency", "deal-value", "deal-uplift", "margin", "rounding", "horizon",
    "ramp-up", "discount", "risk-benefits", "risk-costs", "scenario-0", "scenario-1", "scenario-2", "prod-users",
    "prod-hours", "prod-cost", "prod-realization"];
  var SCENARIOS = ["conservative", "expected", "optimistic"];

  function encodeState(state) {
    var bytes = new TextEncoder().encode(JSON.stringify(state));
    var binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeState(text) {
    try {
      var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
      var bytes = Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
      var state = JSON.parse(new TextDecoder().decode(bytes));
      return state && typeof state === "object" && !Array.isArray(state) ? state : null;
    } catch (error) {
      return null;
    }
  }

  function sharedState() {
    var hash = location.hash.replace(/^#/, "");
    var encoded = new URLSearchParams(hash).get("s");
    return encoded ? decodeState(encoded) : null;
  }

  var shared = sharedState();

  // Opt-in for a host page (embed.js data-events, or ?events=ORIGIN): after every result the
  // inputs and key figures are posted to the parent window, and the browser delivers them only
  // if the parent is on that very origin.
  var EVENTS_ORIGIN = (function () {
    var asked = new URLSearchParams(location.search).get("events");
    if (!asked || window.parent === window) return null;
    try {
      var url = new URL(asked);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === asked ? asked : null;
    } catch (error) {
      return null;
    }
  })();

  function postResult(request, response) {
    if (!EVENTS_ORIGIN) return;
    var ev = response.evaluation;
    window.parent.postMessage({
      type: "roi-service:result",
      version: 1,
      language: lang,
      inputs: request,
      figures: {
        currency: response.currency,
        monthly_gain: Number(ev.monthly_gain),
        revenue_uplift_ratio: ev.revenue_uplift_ratio,
        payback_months: response.payback_months,
        npv: Number(response.npv),
        roi: response.roi,
        benefit_realization: response.break_even ? response.break_even.benefit_realization : null,
        model_version: response.model_version,
        calculation_id: response.calculation_id,
      },
    }, EVENTS_ORIGIN);
  }
  // the link's language, unless the address names one (?lang=)
  if (shared && (shared.lang === "en" || shared.lang === "uk") && !new URLSearchParams(location.search).get("lang")) {
    lang = shared.lang;
  }

  function initialLanguage() {
    var asked = new URLSearchParams(location.search).get("lang");
    if (asked === "uk" || asked === "ua") return "uk";
    if (asked === "en") return "en";
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    return /^(uk|ua)\b/i.test(String(langs[0])) ? "uk" : "en";
  }

  function t(key, vars) {
    var value = TEXT[lang][key];
    if (value === undefined) value = TEXT.en[key];
    if (typeof value !== "string") return value;
    return value.replace(/\{(\w+)\}/g, function (_, name) {
      return vars && vars[name] !== undefined ? vars[name] : "{" + name + "}";
    });
  }

  // ---- numbers -------------------------------------------------------------------------------

  function locale() {
    return lang === "uk" ? "uk-UA" : "en-US";
  }

  function fmtNumber(value, maxDigits) {
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: maxDigits === undefined ? 2 : maxDigits }).format(value);
  }

  function minorDigits(currency) {
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency: currency }).resolvedOptions().maximumFractionDigits;
    } catch (e) {
      return 2;
    }
  }

  function fmtMoney(value, currency, signed) {
    var digits = Number.isInteger(value) ? 0 : minorDigits(currency);
    var options = {
      style: "currency",
      currency: currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? "exceptZero" : "auto",
    };
    try {
      return new Intl.NumberFormat(locale(), options).format(value);
    } catch (e) {
      delete options.style;
      delete options.currency;
      return new Intl.NumberFormat(locale(), options).format(value) + " " + currency;
    }
  }

  function fmtCompactMoney(value) {
    return new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 1 }).format(value);
  }

  function fmtPercent(ratio, signed, digits) {
    return new Intl.NumberFormat(locale(), {
      style: "percent",
      maximumFractionDigits: digits === undefined ? 2 : digits,
      signDisplay: signed ? "exceptZero" : "auto",
    }).format(ratio);
  }

  function fmtMonths(value) {
    return new Intl.NumberFormat(locale(), {
      style: "unit",
      unit: "month",
      unitDisplay: "long",
      maximumFractionDigits: 2,
    }).format(value);
  }

  function fmtMonthsShort(value) {
    return new Intl.NumberFormat(locale(), {
      style: "unit",
      unit: "month",
      unitDisplay: "short",
      maximumFractionDigits: 2,
    }).format(value);
  }

  // "10000 × (1 + 0.03)" -> "10 000 × (1 + 0,03)" in the page's locale.
  function localiseFormula(formula) {
    return formula.replace(/\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, function (token) {
      var n = Number(token);
      return Number.isFinite(n) ? fmtNumber(n, 6) : token;
    });
  }

  // "7" (percent, as typed) -> 0.07, without binary noise (7 * 0.01 is 0.07000000000000001).
  function percentToFraction(text) {
    return /e/i.test(text) ? Number(text) / 100 : Number(text + "e-2");
  }

  // ---- the form ------------------------------------------------------------------------------

  var $ = function (id) {
    return document.getElementById(id);
  };
  var form = $("inputs");
  var stagesList = $("stages");
  var SEED_STAGES = [
    { count: 10000, uplift: 3 },
    { count: 600, uplift: 7 },
    { count: 400, uplift: 5 },
  ];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function field(labelText, input, extraClass) {
    var label = el("label", { for: input.id, text: labelText });
    return el("div", { class: "field" + (extraClass ? " " + extraClass : "") }, [label, input]);
  }

  function stageRow(name, count, uplift, defaultKey) {
    var nameInput = el("input", { type: "text", maxlength: "80", autocomplete: "off", "data-role": "name" });
    nameInput.value = name;
    if (defaultKey !== null && defaultKey !== undefined) nameInput.dataset.defaultKey = String(defaultKey);
    var countInput = el("input", { type: "number", inputmode: "numeric", min: "0", step: "any", "data-role": "count" });
    countInput.value = String(count);
    var upliftInput = el("input", { type: "number", inputmode: "decimal", min: "-100", step: "any", "data-role": "uplift", "data-percent": "" });
    upliftInput.value = String(uplift);
    var remove = el("button", { type: "button", class: "remove", "data-action": "remove-stage", text: "×" });
    var head = el("div", { class: "row-head" }, [el("span", { class: "row-title" }), remove]);
    var li = el("li", { class: "stage row" }, [
      head,
      el("div", { class: "row-fields" }, [
        field("", nameInput, "f-name"),
        field("", countInput, "f-count"),
        field("", upliftInput, "f-uplift"),
      ]),
    ]);
    return li;
  }

  function costRow(kind, name, amount, defaultKey) {
    var nameInput = el("input", { type: "text", maxlength: "80", autocomplete: "off", "data-role": "name" });
    nameInput.value = name;
    if (defaultKey) nameInput.dataset.defaultKey = defaultKey;
    var amountInput = el("input", { type: "number", inputmode: "decimal", min: "0", step: "any", "data-role": "amount" });
    amountInput.value = String(amount);
    var remove = el("button", { type: "button", class: "remove", "data-action": "remove-cost", text: "×" });
    return el("li", { class: "cost row", "data-kind": kind }, [
      el("div", { class: "row-fields" }, [field("", nameInput, "f-name"), field("", amountInput, "f-amount"), remove]),
    ]);
  }

  // A licence priced per seat: the CRM vendor's own price. Optional (a visitor without one removes
  // it); the seeded row has no price, so the seed's business case is unchanged until one is typed.
  var SEED_LICENCE = { seats: 10, price: 0, billing: "monthly", escalation: 0 };
  var BILLING = [["monthly", "billingMonthly"], ["annual", "billingAnnual"]];
  var LICENCE_ROLES = ["name", "seats", "price", "billing", "escalation"];
  var LICENCE_LABELS = { name: "costName", seats: "seats", price: "pricePerSeat", billing: "billing", escalation: "escalation" };
  var LICENCE_FIELDS = { name: "name", seats: "seats", price: "price_per_seat", billing: "billing", escalation: "annual_escalation" };

  function licenceRow(name, seats, price, billing, escalation, defaultKey) {
    var nameInput = el("input", { type: "text", maxlength: "80", autocomplete: "off", "data-role": "name" });
    nameInput.value = name;
    if (defaultKey) nameInput.dataset.defaultKey = defaultKey;
    var seatsInput = el("input", { type: "number", inputmode: "numeric", min: "1", max: "1000000", step: "1", "data-role": "seats" });
    seatsInput.value = String(seats);
    var priceInput = el("input", { type: "number", inputmode: "decimal", min: "0", step: "any", "data-role": "price" });
    priceInput.value = String(price);
    var billingSelect = el("select", { "data-role": "billing" }, BILLING.map(function (option) {
      return el("option", { value: option[0], "data-i18n": option[1], text: t(option[1]) });
    }));
    // a link's value the select cannot take is left out: the row keeps monthly billing
    billingSelect.value = BILLING.some(function (option) { return option[0] === billing; }) ? billing : "monthly";
    var escalationInput = el("input", { type: "number", inputmode: "decimal", min: "0", max: "100", step: "any", "data-role": "escalation", "data-percent": "" });
    escalationInput.value = String(escalation);
    var remove = el("button", { type: "button", class: "remove", "data-action": "remove-cost", text: "×" });
    // titled like a stage: five fields want the row's full width, two to a line
    return el("li", { class: "licence row", "data-kind": "per_seat" }, [
      el("div", { class: "row-head" }, [el("span", { class: "row-title" }), remove]),
      el("div", { class: "row-fields" }, [
        field("", nameInput, "f-name"),
        field("", seatsInput, "f-seats"),
        field("", priceInput, "f-price"),
        field("", billingSelect, "f-billing"),
        field("", escalationInput, "f-escalation"),
      ]),
    ]);
  }

  // ---- how sure: a range for each main assumption ------------------------------------------
  // Sent as uncertainty.ranges, shape normal: a 90 % range (5 % of the cases below `from`, 5 %
  // above `to`) centred on the visitor's own value, so the value typed stays the middle case
  // (lognormal, the API's default for a positive range, would put the middle below it) and a
  // value of 0 or below needs no other rule. Until the visitor edits a range, it follows its
  // value at the width the "how sure" select sets (so it always holds the value).
  var SURE_WIDTHS = { low: 1, fair: 0.5, high: 0.2 };
  var RANGE_ROLES = ["low", "high"];

  function rangeRow() {
    var fields = [];
    RANGE_ROLES.forEach(function (role) {
      fields.push(el("label", { class: "range-label" }));
      fields.push(el("input", { type: "number", inputmode: "decimal", step: "any", "data-role": role }));
    });
    return el("li", { class: "range row" }, [el("span", { class: "range-name" }), el("div", { class: "range-fields" }, fields)]);
  }

  var dealRange = rangeRow();
  var hoursRange = rangeRow();

  function lowerFirst(text) {
    return text.charAt(0).toLowerCase() + text.slice(1);
  }

  // What each range is about: its key in a link, its row, the field it ranges, that field's
  // pointer in the request and its human name (also the driver's name in the answer).
  function rangeSources() {
    var sources = Array.prototype.map.call(stagesList.children, function (li, i) {
      if (!li.sureRange) li.sureRange = rangeRow();
      var own = li.querySelector('[data-role="uplift"]');
      var stage = li.querySelector('[data-role="name"]').value.trim() || t("stageN", { n: i + 1 });
      return {
        key: "stage-" + i, row: li.sureRange, own: own, pointer: "/evaluation/stages/" + i + "/uplift",
        name: stage + ": " + lowerFirst(t(i === 0 ? "upliftTop" : "upliftConv")),
        what: own.getAttribute("aria-label") || t(i === 0 ? "upliftTop" : "upliftConv"),
      };
    });
    sources.push({ key: "deal", row: dealRange, own: $("deal-uplift"), pointer: "/evaluation/average_deal_value_uplift", name: t("dealUplift"), what: t("dealUplift") });
    sources.push({ key: "hours", row: hoursRange, own: $("prod-hours"), pointer: "/productivity/hours_saved_per_user_per_month", name: t("prodHours"), what: t("prodHours") });
    return sources;
  }

  // One row per source, in the sources' order (a stage's range goes where its stage goes).
  function renderRanges() {
    var list = $("sure-ranges");
    var sources = rangeSources();
    sources.forEach(function (source, i) {
      var row = source.row;
      if (list.children[i] !== row) list.insertBefore(row, list.children[i] || null);
      RANGE_ROLES.forEach(function (role) {
        var input = row.querySelector('[data-role="' + role + '"]');
        input.id = "range-" + source.key + "-" + role;
        input.name = "uncertainty.ranges[" + source.key + "]." + role;
        if (source.own.hasAttribute("data-percent")) input.setAttribute("data-percent", "");
        var label = input.previousElementSibling;
        label.setAttribute("for", input.id);
        label.textContent = t(role === "low" ? "rangeFrom" : "rangeTo");
        input.setAttribute("aria-label", t(role === "low" ? "rangeFromOf" : "rangeToOf", { what: source.what }));
      });
    });
    while (list.children.length > sources.length) list.removeChild(list.lastElementChild);
    syncRanges();
  }

  function scaled(text, factor) {
    return Number((Number(text) * factor).toPrecision(12)); // 3 × 0.8 is 2.4, not 2.4000000000000004
  }

  // Names, and the ranges (and the target month) the visitor has not edited, follow the form.
  function syncRanges() {
    var width = SURE_WIDTHS[$("sure-level").value] || SURE_WIDTHS.fair;
    rangeSources().forEach(function (source) {
      source.row.querySelector(".range-name").textContent = source.name;
      var text = source.own.value.trim();
      if (source.row.dataset.edited || text === "" || !Number.isFinite(Number(text))) return;
      var a = scaled(text, 1 - width);
      var b = scaled(text, 1 + width);
      source.row.querySelector('[data-role="low"]').value = String(Math.min(a, b));
      source.row.querySelector('[data-role="high"]').value = String(Math.max(a, b));
    });
    hoursRange.hidden = !(Number($("prod-users").value) > 0); // sent only with the time saved
    var horizon = $("horizon").value.trim();
    var within = $("sure-within");
    if (/^\d+$/.test(horizon)) {
      within.max = horizon;
      if (!within.dataset.edited) within.value = horizon;
    }
  }

  // What the visitor set by hand, for the link: the level, the target month if typed, and the
  // ranges edited (by key; the others follow their values when the link is opened).
  function sureState() {
    var ranges = {};
    rangeSources().forEach(function (source) {
      if (!source.row.dataset.edited) return;
      ranges[source.key] = RANGE_ROLES.map(function (role) { return source.row.querySelector('[data-role="' + role + '"]').value; });
    });
    var state = { level: $("sure-level").value, ranges: ranges };
    if ($("sure-within").dataset.edited) state.within = $("sure-within").value;
    return state;
  }

  function applySure(state) {
    if (!state || typeof state !== "object") return;
    if (typeof state.level === "string" && Object.prototype.hasOwnProperty.call(SURE_WIDTHS, state.level)) $("sure-level").value = state.level;
    if (typeof state.within === "string") {
      $("sure-within").value = state.within;
      $("sure-within").dataset.edited = "1";
    }
    var ranges = state.ranges && typeof state.ranges === "object" ? state.ranges : {};
    rangeSources().forEach(function (source) {
      var pair = ranges[source.key];
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(function (cell) { return typeof cell === "string"; })) return;
      RANGE_ROLES.forEach(function (role, i) { source.row.querySelector('[data-role="' + role + '"]').value = pair[i]; });
      source.row.dataset.edited = "1";
    });
    syncRanges();
  }

  // The visitor's own edits: a range typed stops following its value; the level resets them all.
  function noteSureEdit(target) {
    if (target.id === "sure-level") {
      rangeSources().forEach(function (source) { delete source.row.dataset.edited; });
    } else if (target.id === "sure-within") {
      target.dataset.edited = "1";
    } else if (target.closest && target.closest(".range")) {
      target.closest(".range").dataset.edited = "1";
    }
    syncRanges();
  }

  // Ids, pointers and labels follow the rows' positions; called after every add or remove.
  function renumber() {
    var stages = stagesList.children;
    Array.prototype.forEach.call(stages, function (li, i) {
      var n = i + 1;
      li.setAttribute("data-pointer", "/evaluation/stages/" + i);
      li.querySelector(".row-title").textContent = t("stageN", { n: n });
      ["name", "count", "uplift"].forEach(function (role) {
        var input = li.querySelector('[data-role="' + role + '"]');
        input.id = "stage-" + i + "-" + role;
        input.name = "stages[" + i + "]." + role;
        input.setAttribute("data-pointer", "/evaluation/stages/" + i + "/" + role);
        var label = input.parentNode.querySelector("label");
        label.setAttribute("for", input.id);
        label.textContent = role === "name" ? t("stageName") : role === "count" ? t("stageCount") : i === 0 ? t("upliftTop") : t("upliftConv");
        // A screen reader names the field with its stage: "Count a month (Stage 2)"
        input.setAttribute("aria-label", t("fieldOf", { label: label.textContent, row: t("stageN", { n: n }) }));
      });
      var remove = li.querySelector(".remove");
      remove.setAttribute("aria-label", t("removeStage", { n: n }));
      remove.title = t("removeStage", { n: n });
      remove.disabled = stages.length <= MIN_STAGES;
    });
    $("add-stage").disabled = stages.length >= MAX_STAGES;
    ["one_time", "monthly"].forEach(function (kind) {
      var rows = $("costs-" + kind).children;
      Array.prototype.forEach.call(rows, function (li, i) {
        var n = i + 1;
        li.setAttribute("data-pointer", "/costs/" + kind + "/" + i);
        ["name", "amount"].forEach(function (role) {
          var input = li.querySelector('[data-role="' + role + '"]');
          input.id = "cost-" + kind + "-" + i + "-" + role;
          input.name = "costs." + kind + "[" + i + "]." + role;
          input.setAttribute("data-pointer", "/costs/" + kind + "/" + i + "/" + role);
          var label = input.parentNode.querySelector("label");
          label.setAttribute("for", input.id);
          label.textContent = role === "name" ? t("costName") : t("costAmount");
          var row = t("costN", { kind: t(kind === "one_time" ? "oneTimeLegend" : "monthlyLegend"), n: n });
          input.setAttribute("aria-label", t("fieldOf", { label: label.textContent, row: row }));
        });
        var remove = li.querySelector(".remove");
        remove.setAttribute("aria-label", t("removeCost", { n: n }) + " (" + t(kind === "one_time" ? "oneTimeLegend" : "monthlyLegend") + ")");
        remove.title = remove.getAttribute("aria-label");
        remove.disabled = rows.length <= 1;
      });
      $("add-" + kind).disabled = rows.length >= MAX_COST_LINES;
    });
    var licences = $("costs-per_seat").children;
    Array.prototype.forEach.call(licences, function (li, i) {
      var n = i + 1;
      var row = t("licenceN", { n: n });
      li.setAttribute("data-pointer", "/costs/per_seat/" + i);
      li.querySelector(".row-title").textContent = row;
      LICENCE_ROLES.forEach(function (role) {
        var input = li.querySelector('[data-role="' + role + '"]');
        var pointer = "/costs/per_seat/" + i + "/" + LICENCE_FIELDS[role];
        input.id = "licence-" + i + "-" + role;
        input.name = "costs.per_seat[" + i + "]." + LICENCE_FIELDS[role];
        input.setAttribute("data-pointer", pointer);
        var label = input.parentNode.querySelector("label");
        label.setAttribute("for", input.id);
        label.textContent = t(LICENCE_LABELS[role]);
        input.setAttribute("aria-label", t("fieldOf", { label: label.textContent, row: row }));
      });
      var remove = li.querySelector(".remove");
      remove.setAttribute("aria-label", t("removeLicence", { n: n }));
      remove.title = remove.getAttribute("aria-label");
    });
    $("add-per_seat").disabled = licences.length >= MAX_COST_LINES;
    renderRanges();
  }

  function seedForm() {
    SEED_STAGES.forEach(function (stage, i) {
      stagesList.appendChild(stageRow(t("stageDefaults")[i], stage.count, stage.uplift, "d" + i));
    });
    $("costs-one_time").appendChild(costRow("one_time", t("costDefaults").one_time, 15000, "one_time"));
    $("costs-monthly").appendChild(costRow("monthly", t("costDefaults").monthly, 0, "monthly"));
    $("costs-per_seat").appendChild(licenceRow(t("costDefaults").per_seat, SEED_LICENCE.seats, SEED_LICENCE.price,
      SEED_LICENCE.billing, SEED_LICENCE.escalation, "per_seat"));
    renumber();
  }

  // Rows of strings from a shared link, or null when the key is missing or malformed.
  function sharedRows(value, width, min, max) {
    if (!Array.isArray(value) || value.length < min || value.length > max) return null;
    var rows = value.filter(function (row) {
      return Array.isArray(row) && row.length === width && row.every(function (cell) { return typeof cell === "string"; });
    });
    return rows.length === value.length ? rows : null;
  }

  // The seeded form with what a shared link holds (whatever it holds that this page knows).
  function applyShared(state) {
    var inputs = state.inputs && typeof state.inputs === "object" ? state.inputs : {};
    SHARED_INPUTS.forEach(function (id) {
      var input = $(id);
      if (typeof inputs[id] !== "string") return;
      // a <select> takes only one of its own options
      if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === inputs[id]; })) return;
      input.value = inputs[id];
    });
    var stages = sharedRows(state.stages, 3, MIN_STAGES, MAX_STAGES);
    if (stages) {
      stagesList.textContent = "";
      stages.forEach(function (row) {
        stagesList.appendChild(stageRow(row[0], row[1], row[2], null));
      });
    }
    ["one_time", "monthly"].forEach(function (kind) {
      var rows = sharedRows(state.costs && state.costs[kind], 2, 1, MAX_COST_LINES);
      if (!rows) return;
      $("costs-" + kind).textContent = "";
      rows.forEach(function (row) {
        $("costs-" + kind).appendChild(costRow(kind, row[0], row[1], null));
      });
    });
    // licences may be none at all (the visitor removed the seeded one)
    var licences = sharedRows(state.costs && state.costs.per_seat, LICENCE_ROLES.length, 0, MAX_COST_LINES);
    if (licences) {
      $("costs-per_seat").textContent = "";
      licences.forEach(function (row) {
        $("costs-per_seat").appendChild(licenceRow(row[0], row[1], row[2], row[3], row[4], null));
      });
    }
    renumber();
    applySure(state.sure);
  }

  function currentState() {
    var rows = function (list, roles) {
      return Array.prototype.map.call(list.children, function (li) {
        return roles.map(function (role) { return li.querySelector('[data-role="' + role + '"]').value; });
      });
    };
    var inputs = {};
    SHARED_INPUTS.forEach(function (id) { inputs[id] = $(id).value; });
    return {
      v: 1,
      lang: lang,
      inputs: inputs,
      stages: rows(stagesList, ["name", "count", "uplift"]),
      costs: {
        one_time: rows($("costs-one_time"), ["name", "amount"]),
        monthly: rows($("costs-monthly"), ["name", "amount"]),
        per_seat: rows($("costs-per_seat"), LICENCE_ROLES),
      },
      sure: sureState(),
    };
  }

  function rememberState() {
    if (!window.history || !history.replaceState) return;
    history.replaceState(null, "", "#s=" + encodeState(currentState()));
  }

  // The API's own figures as CSV, written as the API wrote them; column names are the API's field
  // names, so a spreadsheet and the contract agree.
  // How sure: the S-curve as its points, and one row per figure with its percentiles (an empty
  // cell where the API answered null: a percentile on a case that never pays back).
  var PERCENTILES = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];
  var CSV_COLUMNS = {
    cash: { file: "cash-flows.csv", rows: function (pay) { return pay.cash_flows; }, columns: ["month", "benefit", "cost", "net", "discounted_net", "cumulative", "discounted_cumulative"] },
    years: { file: "yearly.csv", rows: function (pay) { return pay.years; }, columns: ["year", "months", "benefits", "costs", "net", "pv_benefits", "pv_costs"] },
    curve: { file: "payback-curve.csv", rows: function (pay) { return pay.uncertainty.payback_curve; }, columns: ["period", "month", "probability"] },
    percentiles: {
      file: "percentiles.csv",
      rows: function (pay) {
        return ["npv", "roi", "payback_months"].map(function (figure) {
          var row = { figure: figure };
          Object.keys(pay.uncertainty[figure]).forEach(function (key) { row[key] = pay.uncertainty[figure][key]; });
          return row;
        });
      },
      columns: ["figure", "mean", "sd"].concat(PERCENTILES),
    },
  };

  // The answer with every number as the API wrote it (19082.00, not 19082; every digit of a large
  // amount): JSON.parse's reviver sees each number's source text where the browser offers it.
  function exactAnswer(text) {
    return JSON.parse(text, function (key, value, context) {
      return typeof value === "number" && context && typeof context.source === "string" ? context.source : value;
    });
  }

  function downloadCsv(which) {
    if (!lastGood) return;
    var pay = exactAnswer(lastGood.text);
    var spec = CSV_COLUMNS[which];
    if (!pay.uncertainty && (which === "curve" || which === "percentiles")) return;
    var lines = [spec.columns.join(",")].concat(spec.rows(pay).map(function (row) {
      return spec.columns.map(function (column) {
        return row[column] === null || row[column] === undefined ? "" : String(row[column]);
      }).join(",");
    }));
    saveFile(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }), spec.file);
  }

  function saveFile(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = el("a", { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000); // after the browser has it
  }

  function copyLink() {
    rememberState();
    var done = function () { setStatus(t("linkCopied"), "ok"); };
    var failed = function () {
      // no clipboard here (an old browser, a frame without the permission): show the link
      setStatus(t("linkNotCopied"), "stale");
      if (window.prompt) window.prompt(t("linkNotCopied"), location.href);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(location.href).then(done, failed);
    else failed();
  }

  function addStage() {
    var rows = stagesList.children;
    if (rows.length >= MAX_STAGES) return;
    var last = rows[rows.length - 1];
    var above = rows[rows.length - 2];
    var lastCount = Number(last.querySelector('[data-role="count"]').value) || 0;
    var aboveCount = Number(above.querySelector('[data-role="count"]').value) || 0;
    var count = Math.round((lastCount + Math.max(aboveCount, lastCount)) / 2);
    var n = rows.length; // the new stage goes in just above the won deals, as stage n
    var row = stageRow(t("stageNew", { n: n }), count, 0, "new");
    stagesList.insertBefore(row, last);
    renumber();
    row.querySelector('[data-role="name"]').focus();
    schedule();
  }

  function addCost(kind) {
    var list = $("costs-" + kind);
    if (list.children.length >= MAX_COST_LINES) return;
    var name = t("costNew")[kind].replace("{n}", list.children.length + 1);
    var row = kind === "per_seat"
      ? licenceRow(name, SEED_LICENCE.seats, SEED_LICENCE.price, SEED_LICENCE.billing, SEED_LICENCE.escalation, null)
      : costRow(kind, name, 0, null);
    list.appendChild(row);
    renumber();
    row.querySelector('[data-role="name"]').focus();
    schedule();
  }

  function removeRow(button) {
    var li = button.closest("li");
    var list = li.parentNode;
    if (button.disabled) return;
    var index = Array.prototype.indexOf.call(list.children, li);
    list.removeChild(li);
    renumber();
    var next = list.children[Math.min(index, list.children.length - 1)];
    var focusTarget = next && next.querySelector(".remove:not([disabled])");
    if (next) (focusTarget || next.querySelector("input")).focus();
    else list.parentNode.querySelector(".add").focus(); // the last licence gone: its add button
    schedule();
  }

  function readNumber(input, errors) {
    var text = input.value.trim();
    if (text === "" || !Number.isFinite(Number(text)) || (input.validity && input.validity.badInput)) {
      errors.push({ pointer: input.getAttribute("data-pointer"), detailKey: "enterNumber" });
      return 0;
    }
    return input.hasAttribute("data-percent") ? percentToFraction(text) : Number(text);
  }

  function buildRequest() {
    var errors = [];
    var currency = $("currency").value.trim().toUpperCase();
    var stages = Array.prototype.map.call(stagesList.children, function (li) {
      return {
        name: li.querySelector('[data-role="name"]').value.trim(),
        count: readNumber(li.querySelector('[data-role="count"]'), errors),
        uplift: readNumber(li.querySelector('[data-role="uplift"]'), errors),
      };
    });
    var costs = {};
    ["one_time", "monthly"].forEach(function (kind) {
      costs[kind] = Array.prototype.map.call($("costs-" + kind).children, function (li) {
        return {
          name: li.querySelector('[data-role="name"]').value.trim(),
          amount: readNumber(li.querySelector('[data-role="amount"]'), errors),
        };
      });
    });
    costs.per_seat = Array.prototype.map.call($("costs-per_seat").children, function (li) {
      var licence = {};
      LICENCE_ROLES.forEach(function (role) {
        var input = li.querySelector('[data-role="' + role + '"]');
        licence[LICENCE_FIELDS[role]] = role === "name" ? input.value.trim() : role === "billing" ? input.value : readNumber(input, errors);
      });
      return licence;
    });
    var body = {
      currency: currency,
      costs: costs,
      evaluation: {
        currency: currency,
        stages: stages,
        sensitivity_swing: 0.2, // the tornado chart: each assumption alone, ±20 %
        average_deal_value: readNumber($("deal-value"), errors),
        average_deal_value_uplift: readNumber($("deal-uplift"), errors),
        gross_margin: readNumber($("margin"), errors),
        rounding: $("rounding").value,
      },
      horizon_months: readNumber($("horizon"), errors),
      ramp_up_months: readNumber($("ramp-up"), errors),
      annual_discount_rate: readNumber($("discount"), errors),
      risk_adjustment: { benefits: readNumber($("risk-benefits"), errors), costs: readNumber($("risk-costs"), errors) },
      scenarios: SCENARIOS.map(function (name, i) {
        return { name: name, effect_scale: readNumber($("scenario-" + i), errors) };
      }),
    };
    // Time saved counts once someone saves some (the API adds it to the monthly benefit).
    var productivity = {
      users: readNumber($("prod-users"), errors),
      hours_saved_per_user_per_month: readNumber($("prod-hours"), errors),
      loaded_hourly_cost: readNumber($("prod-cost"), errors),
      realization: readNumber($("prod-realization"), errors),
    };
    if (productivity.users > 0) body.productivity = productivity;
    // How sure: each range's pointer in this request, so the API's problem with one finds its row
    var ranges = [];
    rangeSources().forEach(function (source) {
      var inputs = RANGE_ROLES.map(function (role) { return source.row.querySelector('[data-role="' + role + '"]'); });
      if (source.key === "hours" && !body.productivity) {
        [source.row].concat(inputs).forEach(function (node) { node.removeAttribute("data-pointer"); });
        return;
      }
      var pointer = "/uncertainty/ranges/" + ranges.length;
      source.row.setAttribute("data-pointer", pointer);
      inputs.forEach(function (input, i) { input.setAttribute("data-pointer", pointer + "/" + RANGE_ROLES[i]); });
      ranges.push({ pointer: source.pointer, low: readNumber(inputs[0], errors), high: readNumber(inputs[1], errors), shape: "normal" });
    });
    body.uncertainty = { ranges: ranges, payback_within_months: readNumber($("sure-within"), errors) };
    return { body: body, errors: errors };
  }

  // ---- talking to the API --------------------------------------------------------------------

  var timer = null;
  var sequence = 0;
  var controller = null;
  var lastGood = null; // {request, response, language, text, sent}
  var lastSent = null; // the body of the last /payback request, as sent; null while a field is wrong
  var lastErrors = []; // what is shown next to the fields: [{pointer, detail | detailKey}]
  var globalProblem = null; // {key} or {text}

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(recompute, DEBOUNCE_MS);
  }

  function recompute() {
    clearTimeout(timer);
    timer = null;
    rememberState();
    var built = buildRequest();
    var mine = ++sequence;
    if (controller) controller.abort();
    controller = null;
    if (built.errors.length) {
      lastSent = null;
      showFailure(built.errors, null);
      return;
    }
    var sent = JSON.stringify(built.body);
    lastSent = sent;
    controller = typeof AbortController === "function" ? new AbortController() : null;
    fetch(BASE + "payback", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, application/problem+json",
        "Accept-Language": lang,
      },
      body: sent,
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
    })
      .then(function (response) {
        var text = "";
        return response
          .text()
          .then(function (body) {
            text = body;
            return JSON.parse(body);
          })
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (mine !== sequence) return;
            if (response.ok && data) {
              // the language the API worded its step labels in, if it says so
              var worded = (response.headers.get("Content-Language") || "en").slice(0, 2).toLowerCase();
              lastGood = { request: built.body, response: data, language: worded, text: text, sent: sent };
              lastErrors = [];
              globalProblem = null;
              renderAll();
              postResult(built.body, data);
            } else if (response.status === 429 || response.status === 503) {
              // busy or rate-limited: say so, keep the last figures, try again when told to
              var wait = Math.min(30, Math.max(1, Number(response.headers.get("Retry-After")) || 2));
              showFailure([], { text: t("busy", { s: wait }) });
              clearTimeout(timer);
              timer = setTimeout(recompute, wait * 1000);
            } else {
              var errors = data && Array.isArray(data.errors) ? data.errors.slice() : [];
              var general = null;
              if (!errors.length) general = { text: t("failed") + (data && data.detail ? ": " + data.detail : " (HTTP " + response.status + ")") };
              showFailure(errors, general);
            }
          });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (mine !== sequence) return;
        showFailure([], { key: "unreachable" });
      });
  }

  // ---- the business case as the service's PDF ------------------------------------------------

  // The same body as the last /payback request (a pending edit is sent first), asked for as
  // application/pdf in the page's language: the document an API client gets for this case.
  function downloadPdf() {
    var button = $("download-pdf");
    if (button.getAttribute("aria-busy") === "true") return;
    if (timer !== null) recompute(); // an edit still waiting for its debounce
    if (lastSent === null) {
      showPdfProblem({ key: "pdfFixFirst" });
      return;
    }
    var body = lastSent;
    var id = lastGood && lastGood.sent === body ? lastGood.response.calculation_id : null;
    var name = "business-case-" + (id || today()) + ".pdf";
    setPdfBusy(true);
    fetch(BASE + "payback", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/pdf, application/problem+json",
        "Accept-Language": lang,
      },
      body: body,
      credentials: "omit",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/pdf") === 0) {
          return response.blob().then(function (blob) {
            setPdfBusy(false);
            if (globalProblem && globalProblem.pdf) showPdfProblem(null);
            saveFile(blob, name);
            setStatus(t("pdfSaved", { file: name }), "ok");
          });
        }
        return response.text().then(function (text) {
          var problem = null;
          try { problem = JSON.parse(text); } catch (error) { problem = null; }
          setPdfBusy(false);
          if (response.status === 429 || response.status === 503) {
            var wait = Math.min(30, Math.max(1, Number(response.headers.get("Retry-After")) || 2));
            showPdfProblem({ text: t("pdfBusyService", { s: wait }) });
            return;
          }
          var first = problem && Array.isArray(problem.errors) && problem.errors.length ? problem.errors[0].detail : null;
          var detail = first || (problem && problem.detail) || "HTTP " + response.status;
          showPdfProblem({ text: t("pdfFailed") + ": " + detail });
        });
      })
      .catch(function () {
        setPdfBusy(false);
        showPdfProblem({ key: "pdfUnreachable" });
      });
  }

  function setPdfBusy(busy) {
    var button = $("download-pdf");
    button.setAttribute("aria-busy", String(busy));
    button.classList.toggle("is-busy", busy);
    // aria-disabled, not disabled: the button keeps the keyboard's focus while it works
    if (busy) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
    button.textContent = t(busy ? "pdfBusy" : "downloadPdf");
    if (busy) setStatus(t("pdfBusy"), "ok");
  }

  // the PDF's problem in the page's error box; the figures shown stay current
  function showPdfProblem(problem) {
    globalProblem = problem ? { key: problem.key, text: problem.text, pdf: true } : null;
    renderErrors();
  }

  function today() {
    var now = new Date();
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }

  function showFailure(errors, general) {
    lastErrors = errors;
    globalProblem = general;
    renderErrors();
    renderStale(true);
  }

  // ---- errors next to the fields -------------------------------------------------------------

  function targetFor(pointer) {
    if (pointer === null || pointer === undefined) return null;
    var path = String(pointer);
    while (path) {
      var found = form.querySelector('[data-pointer="' + CSS.escape(path) + '"], [data-pointer-alt="' + CSS.escape(path) + '"]');
      if (found) return found;
      path = path.replace(/\/[^/]*$/, "");
    }
    return null;
  }

  function clearFieldErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error.generated"), function (node) {
      node.parentNode.removeChild(node);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
      var described = (node.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("err-") !== 0;
      });
      if (described.length) node.setAttribute("aria-describedby", described.join(" "));
      else node.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (node) {
      node.classList.remove("has-error");
    });
  }

  function renderErrors() {
    clearFieldErrors();
    var unplaced = [];
    var count = 0;
    lastErrors.forEach(function (error) {
      var target = targetFor(error.pointer);
      if (!target) {
        unplaced.push(error.detailKey ? t(error.detailKey) : error.detail);
        return;
      }
      var folded = target.closest("details");
      if (folded) folded.open = true; // an error must never hide in a closed section
      var id = "err-" + count++;
      var message = el("p", { class: "field-error generated", id: id, text: error.detailKey ? t(error.detailKey) : error.detail });
      if (target.matches("input, select, textarea")) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-describedby", ((target.getAttribute("aria-describedby") || "") + " " + id).trim());
        var holder = target.closest(".field") || target.parentNode;
        holder.classList.add("has-error");
        var row = target.closest(".row");
        if (row && target.labels && target.labels.length) {
          // rows are narrow: the message goes under the row, full width, naming its field
          message.textContent = target.labels[0].textContent + ": " + message.textContent;
          row.classList.add("has-error");
          row.appendChild(message);
        } else {
          holder.appendChild(message);
        }
      } else {
        target.classList.add("has-error");
        var anchor = target.tagName === "LI" ? target : target.querySelector(".add") || null;
        if (target.tagName === "LI") target.appendChild(message);
        else target.insertBefore(message, anchor);
      }
    });
    var box = $("global-error");
    var texts = unplaced.slice();
    if (globalProblem) texts.unshift(globalProblem.key ? t(globalProblem.key) : globalProblem.text);
    box.textContent = texts.join(" ");
    box.hidden = texts.length === 0;
  }

  function renderStale(stale) {
    document.body.classList.toggle("is-stale", stale && lastGood !== null);
    $("stale-note").hidden = !(stale && lastGood !== null);
    if (stale) setStatus(lastErrors.length ? t("staleStatus") : "", "stale");
    else if (lastGood) setStatus(t("updated", { gain: $("gain").textContent, payback: $("payback").textContent }), "ok");
  }

  function setStatus(text, state) {
    var status = $("status");
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  // ---- results -------------------------------------------------------------------------------

  function renderAll() {
    renderErrors();
    if (!lastGood) return;
    renderPrintMeta();
    var req = lastGood.request;
    var pay = lastGood.response;
    var ev = pay.evaluation;
    var cur = pay.currency;

    $("gain").textContent = fmtMoney(Number(ev.monthly_gain), cur, true);
    $("gain-note").textContent =
      ev.gross_margin < 1
        ? t("aMonth") + " · " + t("gainAtMargin", { revenue: fmtMoney(Number(ev.revenue_uplift), cur, true), margin: fmtPercent(ev.gross_margin) })
        : t("aMonth");
    $("uplift").textContent = ev.revenue_uplift_ratio === null ? t("nothing") : fmtPercent(ev.revenue_uplift_ratio, true);
    $("uplift-note").textContent = t("revenueFromTo", {
      from: fmtMoney(Number(ev.baseline_revenue), cur),
      to: fmtMoney(Number(ev.projected_revenue), cur),
    });
    $("payback").textContent =
      pay.payback_months === null ? t("noPayback", { h: fmtMonths(pay.horizon_months) }) : pay.payback_months === 0 ? t("paidAlready") : fmtMonths(pay.payback_months);
    $("payback").classList.toggle("is-long", pay.payback_months === null || pay.payback_months === 0);
    $("payback-note").textContent = t("oneTimeNote", { amount: fmtMoney(Number(pay.one_time_costs), cur) });

    renderMetrics(pay);
    renderScenarios(pay);
    renderYears(pay);
    renderSteps(req, ev);
    drawFunnel(ev);
    drawCash(pay);
    drawTornado(ev);
    renderSure(req, pay);
    renderStale(lastErrors.length > 0 || (globalProblem !== null && !globalProblem.pdf));
  }

  // for paper: when, and by which model (what a printed business case must say)
  function renderPrintMeta() {
    $("print-meta").textContent = t("printMeta", {
      date: new Date().toLocaleDateString(locale(), { year: "numeric", month: "long", day: "numeric" }),
      version: lastGood.response.model_version,
    });
  }

  function renderMetrics(pay) {
    var cur = pay.currency;
    var flows = pay.cash_flows;
    var net = flows.length ? Number(flows[flows.length - 1].cumulative) : 0;
    var rows = [
      ["mTotalBenefits", fmtMoney(Number(pay.total_benefits), cur)],
      ["mTotalCosts", fmtMoney(Number(pay.total_costs), cur)],
      ["mNet", fmtMoney(net, cur, true)],
      ["mNpv", fmtMoney(Number(pay.npv), cur, true)],
      ["mRoi", pay.roi === null ? t("nothing") : fmtPercent(pay.roi, true, 1)],
      ["mIrr", pay.irr_annual === null ? t("nothing") : pay.irr_annual > 10 ? "> " + fmtPercent(10, true, 0) : fmtPercent(pay.irr_annual, true, 0)],
      ["mDiscPayback", pay.discounted_payback_months === null ? t("noPayback", { h: fmtMonths(pay.horizon_months) }) : fmtMonths(pay.discounted_payback_months)],
    ];
    if (pay.productivity_monthly_benefit !== null && pay.productivity_monthly_benefit !== undefined) {
      rows.splice(0, 0, ["mProductivity", fmtMoney(Number(pay.productivity_monthly_benefit), cur)]);
    }
    var share = pay.break_even ? pay.break_even.benefit_realization : null;
    if (typeof share === "number" && share > 0) { // (a loss-making effect never pays for itself)
      rows.push(["mBreakEven", t("breakEvenValue", { share: fmtPercent(share, false, 1) })]);
    }
    if (Number(pay.risk_adjusted_monthly_benefit) !== Number(pay.monthly_benefit)) {
      rows.splice(0, 0, ["mRiskBenefit", fmtMoney(Number(pay.risk_adjusted_monthly_benefit), cur)]);
    }
    var dl = $("metrics");
    dl.textContent = "";
    rows.forEach(function (row) {
      dl.appendChild(el("div", { class: "kv-row" }, [el("dt", { text: t(row[0]) }), el("dd", { text: row[1] })]));
    });
  }

  // A chance in whole percent; never 0 % or 100 % unless every case is (8 in 8,192 is not "0 %").
  function fmtChance(probability) {
    if (probability <= 0 || probability >= 1) return fmtPercent(probability <= 0 ? 0 : 1, false, 0);
    return fmtPercent(Math.min(99, Math.max(1, Math.round(probability * 100))) / 100, false, 0);
  }

  // The human name of a ranged field (a driver is named by its pointer in the answer).
  function rangeName(pointer, req, ev) {
    var match = /^\/evaluation\/stages\/(\d+)\/uplift$/.exec(pointer);
    var unitless = function (text) { return text.replace(/,\s*%$/, ""); };
    if (match) {
      var i = Number(match[1]);
      var stage = (ev.stages[i] && ev.stages[i].name) || t("stageN", { n: i + 1 });
      return stage + ": " + lowerFirst(unitless(t(i === 0 ? "upliftTop" : "upliftConv")));
    }
    if (pointer === "/evaluation/average_deal_value_uplift") return unitless(t("dealUplift"));
    if (pointer === "/productivity/hours_saved_per_user_per_month") return t("prodHours");
    return pointer;
  }

  function renderSure(req, pay) {
    var sure = pay.uncertainty;
    $("sure").hidden = !sure;
    if (!sure) return;
    var within = sure.probability_payback_within;
    $("sure-sentence").textContent = within
      ? t("sureSentence", { p: fmtChance(within.value), m: fmtMonths(sure.payback_within_months) })
      : t("nothing");
    // whole units: a percentile of 8,192 cases has no meaningful minor digits
    var rows = [
      ["sureNpv", t("sureBetween", { low: fmtMoney(Math.round(Number(sure.npv.p10)), pay.currency, true), high: fmtMoney(Math.round(Number(sure.npv.p90)), pay.currency, true) })],
      ["sureLoss", fmtChance(sure.probability_npv_negative.value)],
    ];
    var driver = sure.drivers[0];
    if (driver && driver.variance_share > 0) {
      rows.push(["sureDriver", t("sureShare", { what: rangeName(driver.pointer, req, pay.evaluation), share: fmtPercent(driver.variance_share, false, 0) })]);
    }
    var dl = $("sure-figures");
    dl.textContent = "";
    rows.forEach(function (row) {
      dl.appendChild(el("div", { class: "kv-row", "data-figure": row[0] }, [el("dt", { text: t(row[0]) }), el("dd", { text: row[1] })]));
    });
    drawSure(pay);
  }

  function renderScenarios(pay) {
    var box = $("scenario-cards");
    box.textContent = "";
    (pay.scenarios || []).forEach(function (scenario) {
      var months = scenario.payback_months;
      var value = months === null ? t("noPayback", { h: fmtMonths(pay.horizon_months) }) : months === 0 ? t("paidAlready") : fmtMonths(months);
      box.appendChild(el("div", { class: "card scenario", "data-scenario": scenario.name }, [
        el("p", { class: "card-label", text: t(scenario.name) }),
        el("p", { class: "card-value", text: value }),
        el("p", { class: "card-note", text: t("scenarioNote", { scale: fmtPercent(scenario.effect_scale, false, 0), npv: fmtMoney(Number(scenario.npv), pay.currency, true) }) }),
      ]));
    });
  }

  function renderYears(pay) {
    var table = $("years");
    table.textContent = "";
    table.parentNode.setAttribute("aria-label", t("yearsTitle"));
    var cur = pay.currency;
    var head = el("tr", {}, [t("yearCol"), t("benefitsCol"), t("costsCol"), t("netCol"), t("pvNetCol")].map(function (text) {
      return el("th", { scope: "col", text: text });
    }));
    table.appendChild(el("thead", {}, [head]));
    table.appendChild(el("tbody", {}, pay.years.map(function (row) {
      var pvNet = Number(row.pv_benefits) - Number(row.pv_costs);
      return el("tr", {}, [
        el("th", { scope: "row", text: row.year === 0 ? t("year0") : String(row.year) }),
        el("td", { text: fmtMoney(Number(row.benefits), cur) }),
        el("td", { text: fmtMoney(Number(row.costs), cur) }),
        el("td", { text: fmtMoney(Number(row.net), cur, true) }),
        el("td", { text: fmtMoney(pvNet, cur, true) }),
      ]);
    })));
  }

  function stepLabel(step, req, ev) {
    if (lang === "en" || (lastGood && lastGood.language === lang)) return step.label;
    var match = /^stages\[(\d+)\]\.(projected|volume)$/.exec(step.key);
    if (match) {
      var i = Number(match[1]);
      var stage = ev.stages[i];
      var asked = req.evaluation.stages[i];
      if (!stage || !asked) return step.label;
      if (match[2] === "volume") return UK_STEPS.volume.replace("{name}", stage.name).replace("{above}", ev.stages[i - 1] ? ev.stages[i - 1].name : "");
      return UK_STEPS[i === 0 ? "top" : "conversion"].replace("{name}", stage.name).replace("{u}", fmtPercent(asked.uplift, true));
    }
    var known = UK_STEPS[step.key];
    if (!known) return step.label;
    return known.replace("{u}", fmtPercent(req.evaluation.average_deal_value_uplift, true));
  }

  function stepValue(step, cur) {
    if (step.unit === "money") return fmtMoney(Number(step.value), cur);
    if (step.unit === "ratio") return fmtPercent(step.value, false);
    return fmtNumber(step.value, 2);
  }

  function renderSteps(req, ev) {
    var list = $("steps");
    list.textContent = "";
    ev.steps.forEach(function (step) {
      list.appendChild(
        el("li", { class: "step step-" + step.unit }, [
          el("span", { class: "step-label", text: stepLabel(step, req, ev) }),
          el("span", { class: "step-calc" }, [
            el("span", { class: "step-formula", text: localiseFormula(step.formula) }),
            el("span", { class: "step-eq", text: " = " }),
            el("strong", { class: "step-value", text: stepValue(step, ev.currency) }),
          ]),
        ])
      );
    });
  }

  // ---- pictures ------------------------------------------------------------------------------

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chartWidth(box) {
    return Math.max(260, Math.floor(box.clientWidth || 600));
  }

  function clip(text, maxChars) {
    return text.length > maxChars ? text.slice(0, Math.max(1, maxChars - 1)) + "…" : text;
  }

  function drawFunnel(ev) {
    var box = $("funnel-chart");
    var W = chartWidth(box);
    var stages = ev.stages;
    var biggest = Math.max.apply(
      null,
      stages.map(function (s) {
        return Math.max(s.baseline, s.projected);
      }).concat([1])
    );
    var barH = 16;
    var rowH = 20 + barH * 2 + 4; // name line, two bars
    var convH = 26;
    var H = stages.length * rowH + (stages.length - 1) * convH + 4;
    var width = function (value) {
      // square-root scale: leads and won deals differ by orders of magnitude
      return Math.max(6, Math.sqrt(Math.max(0, value) / biggest) * (W - 8));
    };
    var items = [];
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", class: "funnel-svg" });
    var y = 0;
    stages.forEach(function (stage, i) {
      if (i > 0) {
        var conv = t("conversion", { from: fmtPercent(stage.baseline_conversion || 0), to: fmtPercent(stage.projected_conversion || 0) });
        root.appendChild(svg("text", { x: W / 2, y: y + 17, "text-anchor": "middle", class: "conv" }, "↓ " + conv));
        items.push(conv);
        y += convH;
      }
      var numbers = fmtNumber(stage.baseline) + " → " + fmtNumber(stage.projected);
      var change = stage.baseline > 0 ? " (" + fmtPercent(stage.projected / stage.baseline - 1, true, 1) + ")" : "";
      var right = numbers + change;
      var room = Math.floor((W - right.length * 7.4 - 16) / 7.6);
      root.appendChild(svg("text", { x: 0, y: y + 14, class: "stage-name" }, clip(stage.name, Math.max(4, room))));
      root.appendChild(svg("text", { x: W, y: y + 14, "text-anchor": "end", class: "stage-num" }, right));
      var wb = width(stage.baseline);
      var wp = width(stage.projected);
      var before = svg("rect", { x: (W - wb) / 2, y: y + 20, width: wb, height: barH, rx: 3, class: "bar-before" });
      before.appendChild(svg("title", {}, stage.name + ", " + t("before") + ": " + fmtNumber(stage.baseline)));
      var after = svg("rect", { x: (W - wp) / 2, y: y + 20 + barH + 4, width: wp, height: barH, rx: 3, class: "bar-after" });
      after.appendChild(svg("title", {}, stage.name + ", " + t("after") + ": " + fmtNumber(stage.projected)));
      root.appendChild(before);
      root.appendChild(after);
      items.push(stage.name + " " + numbers);
      y += rowH;
    });
    root.setAttribute("aria-label", t("funnelAria", { items: items.join("; ") }));
    box.textContent = "";
    box.appendChild(root);
  }

  // One bar per assumption, from the monthly gain with it 20 % lower to 20 % higher, the widest
  // first (the API sorts them by impact); the line is the gain as entered.
  function drawTornado(ev) {
    var box = $("tornado-chart");
    var rows = ev.sensitivity || [];
    var W = chartWidth(box);
    var rowH = 34;
    var H = rows.length * rowH + 6;
    var values = rows.reduce(function (all, row) {
      return all.concat([Number(row.low_monthly_gain), Number(row.high_monthly_gain)]);
    }, [Number(ev.monthly_gain)]);
    var lo = Math.min.apply(null, values);
    var hi = Math.max.apply(null, values);
    var span = hi - lo || 1;
    var x = function (value) { return 4 + ((value - lo) / span) * (W - 8); };
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", class: "tornado-svg" });
    var items = [];
    rows.forEach(function (row, i) {
      var y = i * rowH;
      var low = Number(row.low_monthly_gain);
      var high = Number(row.high_monthly_gain);
      var text = row.label + ": " + fmtMoney(low, ev.currency) + " … " + fmtMoney(high, ev.currency);
      root.appendChild(svg("text", { x: 0, y: y + 12, class: "stage-name" }, clip(text, Math.max(12, Math.floor(W / 7)))));
      var bar = svg("rect", { x: x(Math.min(low, high)), y: y + 16, width: Math.max(2, Math.abs(x(high) - x(low))), height: 12, rx: 2, class: "bar-after tornado-bar" });
      bar.appendChild(svg("title", {}, text));
      root.appendChild(bar);
      items.push(text);
    });
    var base = x(Number(ev.monthly_gain));
    root.appendChild(svg("line", { x1: base, x2: base, y1: 14, y2: H, class: "breakeven" }));
    root.setAttribute("aria-label", t("tornadoAria", { items: items.join("; ") }));
    box.textContent = "";
    box.appendChild(root);
  }

  function niceStep(span, target) {
    var raw = span / target;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var unit = raw / power;
    var nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10;
    return nice * power;
  }

  function drawCash(pay) {
    var box = $("cash-chart");
    var W = chartWidth(box);
    var H = W < 500 ? 230 : 270;
    var flows = pay.cash_flows;
    var horizon = pay.horizon_months;
    var cum = flows.map(function (f) {
      return Number(f.cumulative);
    });
    var disc = flows.map(function (f) {
      return Number(f.discounted_cumulative);
    });
    var showDisc = disc.some(function (v, i) {
      return Math.abs(v - cum[i]) > 0.005;
    });
    var all = cum.concat(showDisc ? disc : []).concat([0]);
    var lo = Math.min.apply(null, all);
    var hi = Math.max.apply(null, all);
    if (hi === lo) hi = lo + 1;
    var step = niceStep(hi - lo, 4);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    var padL = 58;
    var padR = 14;
    var padT = 26;
    var padB = 30;
    var plotW = W - padL - padR;
    var plotH = H - padT - padB;
    var x = function (month) {
      return padL + (month / horizon) * plotW;
    };
    var y = function (value) {
      return padT + ((hi - value) / (hi - lo)) * plotH;
    };
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", class: "cash-svg" });

    for (var v = lo; v <= hi + step / 2; v += step) {
      var gy = y(v);
      root.appendChild(svg("line", { x1: padL, x2: W - padR, y1: gy, y2: gy, class: Math.abs(v) < step / 1e6 ? "zero" : "grid" }));
      root.appendChild(svg("text", { x: padL - 6, y: gy + 4, "text-anchor": "end", class: "tick" }, fmtCompactMoney(Math.abs(v) < step / 1e6 ? 0 : v)));
    }
    var every = Math.max(1, Math.ceil((horizon + 1) / Math.max(2, Math.floor(plotW / 34))));
    for (var m = 0; m <= horizon; m += every) {
      root.appendChild(svg("text", { x: x(m), y: H - padB + 16, "text-anchor": "middle", class: "tick" }, String(m)));
    }
    root.appendChild(svg("text", { x: W - padR, y: H - 2, "text-anchor": "end", class: "axis-title" }, t("month")));

    var barW = Math.max(2, Math.min(22, (plotW / (horizon + 1)) * 0.55));
    cum.forEach(function (value, month) {
      var top = y(Math.max(0, value));
      var height = Math.max(1, Math.abs(y(value) - y(0)));
      var bar = svg("rect", { x: x(month) - barW / 2, y: top, width: barW, height: height, class: value < 0 ? "bar-neg" : "bar-pos" });
      bar.appendChild(svg("title", {}, t("month") + " " + month + ": " + fmtMoney(value, pay.currency)));
      root.appendChild(bar);
    });
    var path = function (values) {
      return values
        .map(function (value, month) {
          return (month ? "L" : "M") + x(month).toFixed(1) + " " + y(value).toFixed(1);
        })
        .join(" ");
    };
    if (showDisc) root.appendChild(svg("path", { d: path(disc), class: "line-disc" }));
    root.appendChild(svg("path", { d: path(cum), class: "line-cum" }));

    var be = "";
    if (pay.payback_months !== null) {
      var bx = x(pay.payback_months);
      var label = t("breakEven", { t: fmtMonthsShort(pay.payback_months) });
      be = label;
      root.appendChild(svg("line", { x1: bx, x2: bx, y1: padT - 4, y2: H - padB, class: "breakeven" }));
      root.appendChild(svg("circle", { cx: bx, cy: y(0), r: 5, class: "breakeven-dot" }));
      var anchor = bx > W - 120 ? "end" : bx < padL + 60 ? "start" : "middle";
      root.appendChild(svg("text", { x: anchor === "start" ? bx + 4 : anchor === "end" ? bx - 4 : bx, y: padT - 10, "text-anchor": anchor, class: "breakeven-label" }, label));
    }
    if (showDisc) {
      root.appendChild(svg("text", { x: W - padR, y: padT - 10, "text-anchor": "end", class: "disc-label" }, "- - " + t("discounted")));
    }
    root.setAttribute(
      "aria-label",
      t("cashAria", {
        first: fmtMoney(cum[0], pay.currency),
        last: fmtMoney(cum[cum.length - 1], pay.currency),
        h: horizon,
        be: be,
      })
    );
    box.textContent = "";
    box.appendChild(root);
  }

  // The S-curve: the chance of having paid back by each month (the API's payback_curve), one
  // point a month, and the visitor's target month marked.
  function drawSure(pay) {
    var box = $("sure-chart");
    var sure = pay.uncertainty;
    if (!sure) return;
    var curve = sure.payback_curve;
    var W = chartWidth(box);
    var H = W < 500 ? 180 : 200;
    var padL = 44;
    var padR = 14;
    var padT = 22;
    var padB = 30;
    var plotW = W - padL - padR;
    var plotH = H - padT - padB;
    var last = curve.length ? curve[curve.length - 1].month : 1;
    var x = function (month) { return padL + (month / (last || 1)) * plotW; };
    var y = function (probability) { return padT + (1 - probability) * plotH; };
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", class: "sure-svg" });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (p) {
      root.appendChild(svg("line", { x1: padL, x2: W - padR, y1: y(p), y2: y(p), class: p === 0 ? "zero" : "grid" }));
      root.appendChild(svg("text", { x: padL - 6, y: y(p) + 4, "text-anchor": "end", class: "tick" }, fmtPercent(p, false, 0)));
    });
    var every = Math.max(1, Math.ceil((curve.length) / Math.max(2, Math.floor(plotW / 34))));
    curve.forEach(function (point, i) {
      if (i % every === 0) root.appendChild(svg("text", { x: x(point.month), y: H - padB + 16, "text-anchor": "middle", class: "tick" }, String(point.month)));
    });
    root.appendChild(svg("text", { x: W - padR, y: H - 2, "text-anchor": "end", class: "axis-title" }, t("month")));
    var target = sure.payback_within_months;
    var within = sure.probability_payback_within;
    if (target !== null && within) {
      var tx = x(target);
      root.appendChild(svg("line", { x1: tx, x2: tx, y1: padT - 4, y2: H - padB, class: "breakeven" }));
      var anchor = tx > W - 80 ? "end" : tx < padL + 40 ? "start" : "middle";
      root.appendChild(svg("text", { x: anchor === "start" ? tx + 4 : anchor === "end" ? tx - 4 : tx, y: padT - 8, "text-anchor": anchor, class: "breakeven-label" }, fmtChance(within.value)));
    }
    root.appendChild(svg("path", {
      d: curve.map(function (point, i) { return (i ? "L" : "M") + x(point.month).toFixed(1) + " " + y(point.probability).toFixed(1); }).join(" "),
      class: "line-cum",
    }));
    var radius = curve.length > 40 ? 1.8 : 3;
    var items = [];
    curve.forEach(function (point, i) {
      var text = t("sureAt", { m: point.month, p: fmtChance(point.probability) });
      var dot = svg("circle", { cx: x(point.month), cy: y(point.probability), r: radius, class: "curve-dot" });
      dot.appendChild(svg("title", {}, text));
      root.appendChild(dot);
      // the words name each month where the chance moves, not every month of a flat line
      if (i === 0 || i === curve.length - 1 || point.probability !== curve[i - 1].probability) items.push(text);
    });
    root.setAttribute("aria-label", t("sureAria", { items: items.join("; ") }));
    box.textContent = "";
    box.appendChild(root);
  }

  // ---- language ------------------------------------------------------------------------------

  function applyLanguage(next) {
    var previous = lang;
    lang = next;
    document.documentElement.lang = lang === "uk" ? "uk" : "en";
    document.title = t("pageTitle");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    if ($("download-pdf").getAttribute("aria-busy") === "true") $("download-pdf").textContent = t("pdfBusy");
    Array.prototype.forEach.call(document.querySelectorAll(".lang-btn"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
    var namesChanged = false;
    // Names the visitor has not touched follow the language.
    Array.prototype.forEach.call(form.querySelectorAll("[data-default-key]"), function (input) {
      var key = input.dataset.defaultKey;
      var value = null;
      if (/^d\d+$/.test(key)) value = t("stageDefaults")[Number(key.slice(1))];
      else if (key === "one_time" || key === "monthly" || key === "per_seat") value = t("costDefaults")[key];
      if (value && input.value !== value) {
        input.value = value;
        namesChanged = true;
      }
    });
    renumber();
    rememberState();
    if (previous !== lang || !lastGood) renderAll();
    // ask again: untouched names follow the language, and the API may word its steps in it
    if (namesChanged || (lastGood && lastGood.language !== lang)) schedule();
  }

  // ---- wiring --------------------------------------------------------------------------------

  function wire() {
    form.addEventListener("input", function (event) {
      if (event.target.dataset && event.target.dataset.defaultKey) delete event.target.dataset.defaultKey;
      noteSureEdit(event.target);
      schedule();
    });
    form.addEventListener("change", function (event) {
      noteSureEdit(event.target);
      schedule();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      recompute();
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.id === "add-stage") addStage();
      else if (button.id === "add-one_time") addCost("one_time");
      else if (button.id === "add-monthly") addCost("monthly");
      else if (button.id === "add-per_seat") addCost("per_seat");
      else if (button.dataset.action) removeRow(button);
    });
    $("copy-link").addEventListener("click", copyLink);
    $("print").addEventListener("click", function () { window.print(); });
    $("download-pdf").addEventListener("click", downloadPdf);
    // Paper shows every assumption: what is folded away on screen opens for printing.
    var folded = [];
    window.addEventListener("beforeprint", function () {
      if (lastGood) renderPrintMeta(); // the date of printing
      folded = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (details) {
        details.open = true;
        return true;
      });
    });
    window.addEventListener("afterprint", function () {
      folded.forEach(function (details) { details.open = false; });
      folded = [];
    });
    $("csv-cash").addEventListener("click", function () { downloadCsv("cash"); });
    $("csv-years").addEventListener("click", function () { downloadCsv("years"); });
    $("csv-curve").addEventListener("click", function () { downloadCsv("curve"); });
    $("csv-percentiles").addEventListener("click", function () { downloadCsv("percentiles"); });
    Array.prototype.forEach.call(document.querySelectorAll(".lang-btn"), function (button) {
      button.addEventListener("click", function () {
        applyLanguage(button.getAttribute("data-lang"));
      });
    });
    var redrawTimer = null;
    var lastWidth = 0;
    var redraw = function () {
      var width = $("funnel-chart").clientWidth;
      if (width === lastWidth) return;
      lastWidth = width;
      clearTimeout(redrawTimer);
      redrawTimer = setTimeout(function () {
        if (lastGood) {
          drawFunnel(lastGood.response.evaluation);
          drawTornado(lastGood.response.evaluation);
          drawCash(lastGood.response);
          drawSure(lastGood.response);
        }
      }, 60);
    };
    if (typeof ResizeObserver === "function") new ResizeObserver(redraw).observe($("results"));
    else window.addEventListener("resize", redraw);
    // Embedded in an <iframe> by embed.js: tell the host page how tall we are.
    if (window.parent !== window) {
      var lastHeight = 0;
      var report = function () {
        var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
        if (height === lastHeight) return;
        lastHeight = height;
        window.parent.postMessage({ type: "roi-service:height", height: height }, "*");
      };
      if (typeof ResizeObserver === "function") new ResizeObserver(report).observe(document.body);
      window.addEventListener("load", report);
    }
  }

  seedForm();
  if (shared) applyShared(shared);
  wire();
  applyLanguage(lang);
  recompute();
})();
