"""The calculator page in a real browser (Debian's /usr/bin/chromium) against a real server.

Every page is checked for console errors and for requests to any origin but the service's.
Screenshots go to artifacts/ (gitignored), for a human to look at.
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import math
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # no py.typed
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)

from service.calc import MODEL_VERSION
from service.document import figures
from service.document.words import WORDS

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WIDTHS = [1280, 390]
HEIGHT = {1280: 900, 390: 844}
NBSP = "[\u00a0\u202f ]"  # Ukrainian groups digits with a (narrow) no-break space
DOWNLOAD_PDF = {"en-US": "Download PDF", "uk-UA": "Завантажити PDF"}


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install -y --no-install-recommends chromium); make test does"
        )
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@dataclass
class Visit:
    """A page and what it did: console errors, uncaught exceptions, every request URL."""

    page: Page
    origin: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @classmethod
    def watching(cls, page: Page, origin: str) -> Visit:
        """A Visit that records the page's console errors, uncaught exceptions and requests."""
        seen = cls(page, origin)
        page.on(
            "console",
            lambda message: (
                seen.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: seen.console_errors.append(f"uncaught: {error}"))
        page.on("request", lambda request: seen.requests.append(request.url))
        return seen

    def assert_clean(self, allow: str | None = None) -> None:
        errors = [e for e in self.console_errors if not (allow and re.search(allow, e))]
        assert errors == [], f"console errors: {errors}"
        foreign = [url for url in self.requests if not url.startswith(self.origin + "/")]
        assert foreign == [], f"requests to other origins: {foreign}"
        assert self.requests, "no requests recorded"

    def assert_no_horizontal_overflow(self) -> None:
        sizes = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert sizes[0] <= sizes[1], f"horizontal overflow: scrollWidth {sizes[0]} > {sizes[1]}"

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def visit(browser: Browser, service_url: str) -> Iterator[Callable[..., Visit]]:
    """``visit(width, locale="en-US")`` opens the page and waits for the first result."""
    contexts = []

    def open_page(width: int = 1280, locale: str = "en-US", path: str = "/") -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHT.get(width, 900)},
            locale=locale,
            service_workers="block",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen = Visit.watching(page, service_url)
        page.goto(service_url + path)
        expect(page.locator("#gain")).not_to_have_text("…")
        return seen

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_first_screen_shows_the_seed(visit: Callable[..., Visit], width: int) -> None:
    seen = visit(width)
    page = seen.page
    expect(page.locator("#gain")).to_have_text("+UAH 19,082")
    expect(page.locator("#uplift")).to_have_text("+23.85%")
    expect(page.locator("#payback")).to_have_text("0.79 months")
    # on the first screen, without scrolling
    for selector in ("#gain", "#uplift", "#payback"):
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= HEIGHT[width], f"{selector} is below the fold"
    # the pictures: funnel bars and the cash flow with its break-even mark
    assert page.locator("#funnel-chart svg rect.bar-after").count() == 3
    assert page.locator("#cash-chart svg path.line-cum").count() == 1
    expect(page.locator("#cash-chart svg .breakeven-label")).to_contain_text("0.79")
    # the post's reasoning, step by step
    steps = page.locator("#steps").inner_text()
    for value in ("10,300", "618", "661", "441", "463", "92,600", "99,082"):
        assert value in steps
    # every input has a visible label
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select')].filter(i =>
             !i.labels || !i.labels.length || !i.labels[0].offsetParent && !i.closest('details')
           ).map(i => i.id)"""
    )
    assert unlabelled == []
    seen.assert_no_horizontal_overflow()
    seen.screenshot(f"page-{width}-en.png")
    seen.assert_clean()


def test_editing_leads_recomputes(visit: Callable[..., Visit]) -> None:
    seen = visit(1280)
    page = seen.page
    leads = page.get_by_label("Count a month").first
    expect(leads).to_have_value("10000")
    leads.fill("20000")
    # the funnel is relative: more leads at the same counts below is a lower conversion
    expect(page.locator("#funnel-chart")).to_contain_text("20,000 → 20,600")
    expect(page.locator("#funnel-chart")).to_contain_text("conversion 3% → 3.21%")
    expect(page.locator("#steps")).to_contain_text("600 × 20,600 / 20,000 = 618")
    expect(page.locator("#gain")).to_have_text("+UAH 19,082")
    page.locator("#stage-2-count").fill("450")
    # 450 × 661 / 600 = 496 deals; × 1.05 = 521; 521 × 200 × 1.07 = 111,494; 90,000 before
    expect(page.locator("#gain")).to_have_text("+UAH 21,494")
    expect(page.locator("#uplift")).to_have_text("+23.88%")
    expect(page.locator("#payback")).to_have_text("0.7 months")
    # a stage more, then a cost line more, by keyboard
    page.locator("#add-stage").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#stages > li")).to_have_count(4)
    expect(page.locator("#stage-2-name")).to_be_focused()
    expect(page.locator("#funnel-chart svg rect.bar-after")).to_have_count(4)
    page.locator("#add-monthly").click()
    page.locator("#cost-monthly-1-amount").fill("1000")
    expect(page.locator("#metrics")).to_contain_text("UAH 27,000")  # 15,000 + 12 × 1,000
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bad_value_shows_the_api_problem_next_to_the_field(
    visit: Callable[..., Visit], width: int
) -> None:
    seen = visit(width)
    page = seen.page
    deals = page.locator("#stage-2-count")
    deals.fill(
        "700"
    )  # more deals than the 600 opportunities above: 422, /evaluation/stages/2/count
    message = page.locator("#stages > li").nth(2).locator(".field-error")
    expect(message).to_contain_text("700 'deals' is more than the 600 'opportunities'")
    expect(message).to_contain_text("Count a month:")
    expect(deals).to_have_attribute("aria-invalid", "true")
    described_by = (deals.get_attribute("aria-describedby") or "").split()
    assert message.get_attribute("id") in described_by
    # the last good result stays, marked stale
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-stale\b"))
    expect(page.locator("#stale-note")).to_be_visible()
    expect(page.locator("#gain")).to_have_text("+UAH 19,082")
    seen.assert_no_horizontal_overflow()
    seen.screenshot(f"page-{width}-error.png")
    # an empty field is caught before the API is asked
    deals.fill("400")
    expect(message).to_have_count(0)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bis-stale\b"))
    page.locator("#deal-value").fill("")
    expect(page.locator("#deal-value ~ .field-error")).to_have_text("Enter a number.")
    page.locator("#deal-value").fill("250")
    expect(page.locator("#deal-value ~ .field-error")).to_have_count(0)
    expect(page.locator("#gain")).not_to_have_text("+UAH 19,082")
    # a problem of the payback part: the ramp-up may not exceed the horizon
    page.locator("#ramp-up").fill("24")
    expect(page.locator("#ramp-up ~ .field-error")).to_contain_text("longer than the horizon")
    page.locator("#horizon").fill("24")
    expect(page.locator("#ramp-up ~ .field-error")).to_have_count(0)
    # the 422 is expected; Chromium logs every non-2xx answer as a console error
    seen.assert_clean(allow=r"status of 422")


def test_language_switch(visit: Callable[..., Visit]) -> None:
    seen = visit(1280, locale="en-US")
    page = seen.page
    title = page.locator("h1")
    expect(title).to_have_text("What is a CRM worth to you?")
    expect(page.locator('label[for="deal-value"]')).to_have_text("Average deal value")
    page.get_by_role("button", name="UA").click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(title).to_have_text("Скільки CRM принесе саме вам?")
    expect(page.locator('label[for="deal-value"]')).to_have_text("Середня сума угоди")
    expect(page.get_by_role("button", name="UA")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#gain")).to_have_text(re.compile(rf"^\+19{NBSP}082{NBSP}(₴|грн)$"))
    expect(page.locator("#uplift")).to_have_text("+23,85%")
    expect(page.locator("#payback")).to_have_text("0,79 місяця")
    expect(page.locator("#steps")).to_contain_text(re.compile(r"ліди: .*\(\+3\s?%\)"))
    expect(page.locator("#steps")).to_contain_text("× (1 + 0,03)")
    seen.screenshot("page-1280-uk.png")
    page.get_by_role("button", name="EN").click()
    expect(title).to_have_text("What is a CRM worth to you?")
    expect(page.locator('label[for="deal-value"]')).to_have_text("Average deal value")
    expect(page.locator("#gain")).to_have_text("+UAH 19,082")
    seen.assert_clean()


def test_ukrainian_browser_gets_ukrainian(visit: Callable[..., Visit]) -> None:
    seen = visit(390, locale="uk-UA")
    page = seen.page
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#payback")).to_have_text("0,79 місяця")
    expect(page.locator("#stage-0-name")).to_have_value("ліди")
    seen.assert_no_horizontal_overflow()
    seen.screenshot("page-390-uk.png")
    seen.assert_clean()


def test_keyboard_reaches_the_inputs_in_order(visit: Callable[..., Visit]) -> None:
    seen = visit(1280)
    page = seen.page
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("() => document.activeElement.id || document.activeElement.textContent")
        )
    assert (
        order.index("stage-0-name") < order.index("stage-0-count") < order.index("stage-0-uplift")
    )
    assert order.index("stage-0-uplift") < order.index("stage-1-name")
    seen.assert_clean()


def serve_host_page(service_url: str, attributes: str = "", iframe: str = "") -> Iterator[str]:
    """A partner's page on another origin (localhost, not 127.0.0.1) with the embed snippet
    (or a plain iframe); it records what the calculator tells it."""
    snippet = iframe or (
        f'<script src="{service_url}/static/embed.js" data-roi-service="{service_url}" '
        f"{attributes}></script>"
    )
    recorder = (
        "<script>window.results = []; window.messages = [];"
        "document.addEventListener('roi-service:result', e => window.results.push(e.detail));"
        "addEventListener('message', e => { if (e.data && e.data.type === 'roi-service:result')"
        " window.messages.push(e.data); });</script>"
    )
    body = f"<!doctype html><title>Sales</title><h1>Our CRM</h1>{recorder}{snippet}".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.allow_reuse_address = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def host_page(service_url: str) -> Iterator[str]:
    yield from serve_host_page(service_url)


def test_embed_script_inserts_a_self_sizing_iframe(browser: Browser, host_page: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(host_page)
        expect(page.locator("iframe")).to_have_count(1)
        frame = page.frame_locator("iframe")
        expect(frame.locator("#gain")).to_have_text("+UAH 19,082")
        # the iframe follows the calculator's height, so nothing scrolls inside it
        inner = frame.locator("html").evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
        page.wait_for_function(
            "h => Math.abs(document.querySelector('iframe').offsetHeight - h) <= 2", arg=inner
        )
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert errors == []
    finally:
        context.close()


def test_the_api_docs_render_from_the_services_own_files(
    browser: Browser, service_url: str
) -> None:
    """/schema loaded its docs from a CDN: a third party's script on the service's origin, and
    no docs offline. Swagger UI now comes from the lock file, served by the service."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        seen = Visit.watching(page, service_url)
        page.goto(service_url + "/schema")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("roi-service")
        expect(page.locator("#operations-default-evaluate")).to_be_visible()
        seen.assert_clean()
        seen.screenshot("schema-docs.png")
    finally:
        context.close()


def shared_link(state: dict[str, object]) -> str:
    """The page's link for ``state``, written the way the page writes it (base64url JSON)."""
    text = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
    return "/#s=" + text


@pytest.mark.parametrize(("locale", "gain"), [("en-US", "+UAH 21,494"), ("uk-UA", "21 494")])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_link_opens_the_same_business_case(
    visit: Callable[..., Visit], width: int, locale: str, gain: str
) -> None:
    """The page's whole state is in its URL's fragment (never sent to a server): the link
    opens the same numbers, in the same language, with the same figures."""
    seen = visit(width, locale)
    page = seen.page
    page.locator("#stage-2-count").fill("450")
    page.locator("#horizon").fill("24")
    expect(page.locator("#gain")).to_contain_text(gain)
    link = page.url
    assert "#s=" in link and "?" not in link
    shown = page.locator("#payback").inner_text()

    other = visit(width, "en-US", path=link.removeprefix(seen.origin))  # another browser
    expect(other.page.locator("#gain")).to_contain_text(gain)
    expect(other.page.locator("#stage-2-count")).to_have_value("450")
    expect(other.page.locator("#horizon")).to_have_value("24")
    expect(other.page.locator("#payback")).to_have_text(shown)
    assert other.page.evaluate("document.documentElement.lang") == locale[:2]
    other.assert_no_horizontal_overflow()
    seen.screenshot(f"share-{width}-{locale}-1-edited.png")
    other.screenshot(f"share-{width}-{locale}-2-opened.png")
    seen.assert_clean()
    other.assert_clean()


def test_an_old_link_keeps_working_when_fields_come_and_go(visit: Callable[..., Visit]) -> None:
    """Keys the page does not know are ignored, missing ones keep their defaults."""
    link = shared_link({
        "v": 1, "lang": "en", "inputs": {"horizon": "24", "a-field-of-the-future": "7"},
        "stages": "not a list", "something": {"new": True},
    })  # fmt: skip
    seen = visit(1280, "en-US", path=link)
    page = seen.page
    expect(page.locator("#horizon")).to_have_value("24")
    expect(page.locator("#stages > li")).to_have_count(3)  # the seed's funnel
    expect(page.locator("#costs-per_seat > li")).to_have_count(1)  # the seed's licence, unpriced
    expect(page.locator("#gain")).to_have_text("+UAH 19,082")
    broken = visit(1280, "en-US", path="/#s=%%%not-base64")
    expect(broken.page.locator("#gain")).to_have_text("+UAH 19,082")
    # a value a field cannot take is left out; ?lang= in the address beats the link's language
    odd_link = shared_link({
        "lang": "en", "inputs": {"rounding": "bogus"},
        "costs": {"per_seat": [["seats", "3", "0", "fortnightly", "0"]]},
    })  # fmt: skip
    odd = visit(1280, "en-US", path=odd_link.replace("/#", "/?lang=uk#", 1))
    expect(odd.page.locator("#rounding")).to_have_value("whole_units")
    expect(odd.page.locator("#licence-0-seats")).to_have_value("3")
    expect(odd.page.locator("#licence-0-billing")).to_have_value("monthly")
    expect(odd.page.locator("#gain")).to_contain_text("19")
    assert odd.page.evaluate("document.documentElement.lang") == "uk"
    odd.assert_clean()
    seen.assert_clean()
    broken.assert_clean()


def test_copy_link_puts_the_business_case_on_the_clipboard(
    browser: Browser, service_url: str
) -> None:
    context = browser.new_context(service_workers="block")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service_url)
    try:
        page = context.new_page()
        page.goto(service_url + "/")
        expect(page.locator("#gain")).to_have_text("+UAH 19,082")
        page.locator("#deal-value").fill("300")
        expect(page.locator("#gain")).not_to_have_text("+UAH 19,082")
        page.locator("#copy-link").click()
        expect(page.locator("#status")).to_contain_text("Link copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.url and "#s=" in copied
        opened = context.new_page()
        opened.goto(copied)
        expect(opened.locator("#deal-value")).to_have_value("300")
        expect(opened.locator("#gain")).to_have_text(page.locator("#gain").inner_text())
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_field_has_its_own_accessible_name_and_axe_finds_nothing(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """The three stages' count fields were all "Count a month" to a screen reader. Now each
    name says its stage or cost line; and axe-core's rules find no violation."""
    seen = visit(width, locale)
    page = seen.page
    page.locator("#add-one_time").click()
    page.locator("#sure-ranges-box summary").click()  # the ranges, open: axe checks them too
    page.locator("#prod-users").fill("10")  # with the time saved's range
    expect(page.locator("#range-hours-low")).to_be_visible()
    names = page.evaluate(
        """() => [...document.querySelectorAll('input, select')].map(i =>
             i.getAttribute('aria-label') || (i.labels[0] && i.labels[0].textContent.trim()))"""
    )
    assert all(names), names
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    if locale == "en-US":
        expect(page.get_by_label("Count a month (Stage 2)", exact=True)).to_have_id("stage-1-count")
        expect(page.get_by_label("Amount (One-time costs, line 2)", exact=True)).to_have_id(
            "cost-one_time-1-amount"
        )
        expect(page.get_by_label("To: Conversion uplift, % (Stage 3)", exact=True)).to_have_id(
            "range-stage-2-high"
        )
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    seen.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["cash", "years"])
def test_the_csv_downloads_hold_the_apis_figures(
    visit: Callable[..., Visit], which: str, width: int, locale: str
) -> None:
    """The monthly cash flows and the yearly table as CSV: the numbers the API answered, written
    as it wrote them (every digit, 15000.00 not 15000), under the API's field names. HUF has two
    decimals in ISO 4217 (the service's table) but none in the browser's own currency data."""
    seen = visit(width, locale)
    page = seen.page
    page.locator("#currency").fill("HUF")
    page.locator("#cost-one_time-0-amount").fill("1000.5")
    page.locator("#horizon").fill("24")
    with page.expect_response(
        lambda response: response.url.endswith("/payback") and response.status == 200
    ) as answered:
        page.locator("#discount").fill("10")
    # every number as its source text, to compare to the letter
    answer = json.loads(answered.value.text(), parse_float=str, parse_int=str)
    assert answer["cash_flows"][0]["cost"] == "1000.50"
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    with page.expect_download() as downloaded:
        page.locator(f"#csv-{which}").click()
    rows = list(csv.DictReader(io.StringIO(Path(downloaded.value.path()).read_text())))
    expected = answer["cash_flows" if which == "cash" else "years"]
    assert len(rows) == len(expected) == (25 if which == "cash" else 3)
    for got, want in zip(rows, expected, strict=True):
        assert set(got) <= set(want)
        for column, text in got.items():
            assert text == want[column], (column, got, want)
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


@pytest.mark.parametrize(("locale", "payback"), [("en-US", "0.79"), ("uk-UA", "0,79")])
def test_the_printed_business_case_fits_two_a4_pages_and_says_what_and_when(
    visit: Callable[..., Visit], locale: str, payback: str
) -> None:
    """ "Save as PDF" is the export: Chromium's own PDF printing, read back with pdftotext."""
    seen = visit(1280, locale)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"business-case-{locale}.pdf"
    seen.page.pdf(path=str(pdf), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)[1])  # type: ignore[index]
    assert 1 <= pages <= 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    spaced = r"[,\s\u00a0\u202f]?"
    assert re.search(rf"19{spaced}082", text)  # the gain
    assert re.search(rf"10{spaced}300", text)  # a step: the leads with the CRM
    assert payback in text
    assert MODEL_VERSION in text and str(datetime.date.today().year) in text  # model and date
    # how sure: the sentence, as the page words the API's answer (the seed: surely in 12 months)
    sentence = SURE_SENTENCE[locale].format(p=100, m=12)
    expect(seen.page.locator("#sure-sentence")).to_have_text(sentence)
    assert sentence in re.sub(r"[ \u00a0\u202f]+", " ", text)
    for words in ({"en-US": "Benefits haircut", "uk-UA": "вигод"}[locale],  # an assumption
                  {"en-US": "Price per seat", "uk-UA": "Ціна за місце"}[locale],  # a licence
                  {"en-US": "Cumulative cash flow", "uk-UA": "Накопичений"}[locale],
                  {"en-US": "NPV in 8 cases of 10", "uk-UA": "NPV у 8 випадках з 10"}[locale],
                  {"en-US": "Pays back within, months", "uk-UA": "Окупиться за, місяців"}[locale],
                  {"en-US": "leads: volume", "uk-UA": "ліди: зростання"}[locale],
                  {"en-US": "from 1.5", "uk-UA": "від 1.5"}[locale]):  # fmt: skip
        assert words.lower() in text.lower(), words
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / f"business-case-{locale}")],
        check=True,
    )
    seen.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_scenarios_break_even_and_the_yearly_table_are_the_apis(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """Conservative, expected and optimistic cards (50, 100 and 150 % of the effect, editable),
    the break-even share, and the yearly table: what a buyer asks of a business case."""
    seen = visit(width, locale)
    page = seen.page
    english = locale == "en-US"
    cards = page.locator("#scenario-cards .scenario")
    expect(cards).to_have_count(3)
    expect(cards.nth(1)).to_contain_text("0.79" if english else "0,79")  # the expected: the seed
    expect(cards.nth(0)).to_contain_text(re.compile(r"50\s?%"))
    expect(page.locator("#metrics")).to_contain_text("6.6%" if english else "6,6%")
    expect(page.locator("#years tbody tr")).to_have_count(2)  # the start and one year
    expect(page.locator("#years")).to_contain_text(re.compile(r"228[,\s\u00a0\u202f]984"))
    with page.expect_response(lambda r: r.url.endswith("/payback") and r.status == 200) as sent:
        page.locator("#scenario-0").fill("20")
    request = json.loads(sent.value.request.post_data or "{}")
    assert [s["effect_scale"] for s in request["scenarios"]] == [0.2, 1, 1.5]
    answer = sent.value.json()
    months = f"{answer['scenarios'][0]['payback_months']:.2f}".rstrip("0").rstrip(".")
    expect(cards.nth(0)).to_contain_text(months if english else months.replace(".", ","))
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_tornado_chart_draws_the_apis_sensitivity_table(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    seen = visit(width, locale)
    page = seen.page
    with page.expect_response(lambda r: r.url.endswith("/payback") and r.status == 200) as sent:
        page.locator("#deal-value").fill("250")
    rows = sent.value.json()["evaluation"]["sensitivity"]
    bars = page.locator("#tornado-chart rect.tornado-bar")
    expect(bars).to_have_count(len(rows))
    assert len(rows) >= 5  # every stage's uplift, the deal value, its uplift, the margin
    expect(page.locator("#tornado-chart text").first).to_contain_text(rows[0]["label"])
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(len(rows))]
    assert widths == sorted(widths, reverse=True)  # the widest swing first
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_time_saved_adds_the_productivity_benefit_the_api_computes(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    seen = visit(width, locale)
    page = seen.page
    english = locale == "en-US"
    expect(page.locator("#metrics .kv-row")).to_have_count(8)  # no time-saved row with 0 people
    with page.expect_response(lambda r: r.url.endswith("/payback") and r.status == 200) as sent:
        page.locator("#prod-users").fill("10")
    assert json.loads(sent.value.request.post_data or "{}")["productivity"] == {
        "users": 10, "hours_saved_per_user_per_month": 5, "loaded_hourly_cost": 300,
        "realization": 0.8,
    }  # fmt: skip
    answer = sent.value.json()
    assert answer["productivity_monthly_benefit"] == 12000  # 10 × 5 × 300 × 0.8
    expect(page.locator("#metrics .kv-row")).to_have_count(9)
    expect(page.locator("#metrics .kv-row").first).to_contain_text(
        "Time saved, a month" if english else "Зекономлений час"
    )
    expect(page.locator("#metrics")).to_contain_text(re.compile(r"12[,\s\u00a0\u202f]000"))
    expect(
        page.get_by_label("People using the CRM" if english else "Людей працює в CRM")
    ).to_have_value("10")
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


LICENCE_ROW = {"en-US": "Licence {n}", "uk-UA": "Ліцензія {n}"}
LICENCE_LABELS = {
    "en-US": {"name": "What", "seats": "Seats", "price": "Price per seat a month",
              "billing": "Billed", "escalation": "Price rise a year, %"},
    "uk-UA": {"name": "Що", "seats": "Кількість місць", "price": "Ціна за місце на місяць",
              "billing": "Оплата", "escalation": "Подорожчання за рік, %"},
}  # fmt: skip
THOUSANDS = r"[,\s\u00a0\u202f]"


def licence_field(page: Page, locale: str, n: int = 1) -> Callable[[str], Locator]:
    """Licence line ``n``'s field ``role``, found by its own accessible name in ``locale``."""
    row = LICENCE_ROW[locale].format(n=n)
    return lambda role: page.get_by_label(f"{LICENCE_LABELS[locale][role]} ({row})", exact=True)


def payback_answer_sending(
    licence: Callable[[dict[str, object]], bool],
) -> Callable[[Response], bool]:
    """A predicate for the /payback answer to a request whose first licence ``licence`` accepts
    (so the answer awaited is the one to the visitor's last edit, not to one before it)."""

    def matches(response: Response) -> bool:
        if not response.url.endswith("/payback") or response.status != 200:
            return False
        licences = json.loads(response.request.post_data or "{}").get("costs", {}).get("per_seat")
        return bool(licences) and licence(licences[0])

    return matches


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_per_seat_licence_is_sent_as_typed_and_the_page_shows_the_apis_figures(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """The CRM vendor's price is per seat: 12 seats at 50 a month, billed annually (each year's
    12 months paid at its start), 10 % dearer each year. The page sends it as costs.per_seat and
    shows what the API answers. The seeded licence has no price, so the seed's case stands."""
    seen = visit(width, locale)
    page = seen.page
    english = locale == "en-US"
    licence = licence_field(page, locale)
    expect(licence("name")).to_have_value("CRM licences" if english else "ліцензії CRM")
    expect(licence("seats")).to_have_value("10")
    expect(licence("price")).to_have_value("0")
    expect(licence("billing")).to_have_value("monthly")
    expect(page.locator("#payback")).to_contain_text("0.79" if english else "0,79")
    page.locator("#horizon").fill("24")
    licence("seats").fill("12")
    licence("price").fill("50")
    licence("billing").select_option("annual")
    with page.expect_response(
        payback_answer_sending(lambda sent: sent["annual_escalation"] != 0)
    ) as answered:
        licence("escalation").fill("10")
    sent = json.loads(answered.value.request.post_data or "{}")
    assert sent["costs"]["per_seat"] == [{
        "name": "CRM licences" if english else "ліцензії CRM", "seats": 12, "price_per_seat": 50,
        "billing": "annual", "annual_escalation": 0.1,
    }]  # fmt: skip
    answer = answered.value.json()
    # 12 × 50 × 12 = 7,200 at month 0 for year 1, then 7,920 (+10 %) at month 12 for year 2
    assert [row["costs"] for row in answer["years"]] == [15000 + 7200, 7920, 0]
    assert answer["total_costs"] == 30120
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    expect(page.locator("#metrics")).to_contain_text(re.compile(rf"30{THOUSANDS}120"))
    expect(page.locator("#years tbody tr").first).to_contain_text(re.compile(rf"22{THOUSANDS}200"))
    months = f"{answer['payback_months']:.2f}".rstrip("0").rstrip(".")
    assert months != "0.79"
    expect(page.locator("#payback")).to_contain_text(
        months if english else months.replace(".", ",")
    )
    seen.assert_no_horizontal_overflow()
    seen.screenshot(f"per-seat-{width}-{locale}.png")
    seen.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_link_restores_the_per_seat_licences(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    seen = visit(width, locale)
    page = seen.page
    page.locator("#add-per_seat").click()
    second = licence_field(page, locale, n=2)
    expect(second("name")).to_be_focused()
    second("name").fill("add-on")
    second("seats").fill("3")
    second("price").fill("12.5")
    second("billing").select_option("annual")
    second("escalation").fill("5")
    with page.expect_response(payback_answer_sending(lambda sent: sent["price_per_seat"] == 600)):
        licence_field(page, locale)("price").fill("600")
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    shown = page.locator("#payback").inner_text()
    link = page.url

    other = visit(width, "en-US", path=link.removeprefix(seen.origin))  # another browser
    expect(other.page.locator("#costs-per_seat > li")).to_have_count(2)
    first, second = licence_field(other.page, locale), licence_field(other.page, locale, n=2)
    expect(first("price")).to_have_value("600")
    expect(first("billing")).to_have_value("monthly")
    for role, value in (("name", "add-on"), ("seats", "3"), ("price", "12.5"),
                        ("billing", "annual"), ("escalation", "5")):  # fmt: skip
        expect(second(role)).to_have_value(value)
    expect(other.page.locator("#payback")).to_have_text(shown)
    other.assert_no_horizontal_overflow()
    seen.assert_clean()
    other.assert_clean()


def test_the_per_seat_licence_is_optional(visit: Callable[..., Visit]) -> None:
    """A visitor without a per-seat price removes the line: no licence is sent, and the link
    opens without one (not with the seeded one back)."""
    seen = visit(1280)
    page = seen.page
    with page.expect_response(lambda r: r.url.endswith("/payback") and r.status == 200) as sent:
        page.get_by_role("button", name="Remove licence 1").click()
    assert json.loads(sent.value.request.post_data or "{}")["costs"]["per_seat"] == []
    expect(page.locator("#costs-per_seat > li")).to_have_count(0)
    expect(page.locator("#add-per_seat")).to_be_focused()
    expect(page.locator("#payback")).to_have_text("0.79 months")
    other = visit(1280, "en-US", path=page.url.removeprefix(seen.origin))
    expect(other.page.locator("#costs-per_seat > li")).to_have_count(0)
    seen.assert_clean()
    other.assert_clean()


@pytest.fixture
def host_page_with_events(service_url: str) -> Iterator[str]:
    yield from serve_host_page(service_url, "data-events")


def test_an_embedder_that_opts_in_gets_the_inputs_and_figures_cross_origin(
    browser: Browser, host_page_with_events: str, host_page: str
) -> None:
    """A sales site runs its own lead form from the calculator's result: with data-events the
    page inside the iframe (the service's origin) posts to the host's origin only; without it,
    nothing is posted."""
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(host_page_with_events)
        frame = page.frame_locator("iframe")
        expect(frame.locator("#gain")).to_have_text("+UAH 19,082")
        page.wait_for_function("window.results.length > 0")
        result = page.evaluate("window.results[window.results.length - 1]")
        assert result["figures"]["monthly_gain"] == 19082
        assert result["figures"]["model_version"] and len(result["figures"]["calculation_id"]) == 32
        assert result["inputs"]["evaluation"]["stages"][0]["count"] == 10000
        assert result["inputs"]["costs"]["per_seat"][0]["seats"] == 10
        frame.locator("#deal-value").fill("300")
        page.wait_for_function(
            "window.results.some(r => r.inputs.evaluation.average_deal_value === 300)"
        )

        quiet = context.new_page()
        quiet.goto(host_page)  # the same snippet without data-events
        expect(quiet.frame_locator("iframe").locator("#gain")).to_have_text("+UAH 19,082")
        quiet.wait_for_timeout(500)
        assert quiet.evaluate("window.messages.length + window.results.length") == 0
    finally:
        context.close()


def test_results_are_never_posted_to_an_origin_the_embedder_did_not_name(
    browser: Browser, service_url: str
) -> None:
    """An iframe that names another origin than its parent's: the browser delivers nothing."""
    iframe = f'<iframe src="{service_url}/?events=https://elsewhere.example"></iframe>'
    for url in serve_host_page(service_url, iframe=iframe):
        context = browser.new_context(locale="en-US")
        try:
            page = context.new_page()
            page.goto(url)
            expect(page.frame_locator("iframe").locator("#gain")).to_have_text("+UAH 19,082")
            page.wait_for_timeout(500)
            assert page.evaluate("window.messages.length") == 0
        finally:
            context.close()


def test_copy_link_works_inside_the_embed(
    browser: Browser, host_page: str, service_url: str
) -> None:
    """A cross-origin iframe may write the clipboard only if its embedder allows it."""
    context = browser.new_context(locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service_url)
    try:
        page = context.new_page()
        page.goto(host_page)
        assert "clipboard-write" in (page.locator("iframe").get_attribute("allow") or "")
        frame = page.frame_locator("iframe")
        expect(frame.locator("#gain")).to_have_text("+UAH 19,082")
        frame.locator("#copy-link").click()
        expect(frame.locator("#status")).to_contain_text("Link copied")
    finally:
        context.close()


def payback_answer_to(wanted: Callable[[dict[str, object]], bool]) -> Callable[[Response], bool]:
    """A predicate for the /payback answer (200) to a request body that ``wanted`` accepts."""

    def matches(response: Response) -> bool:
        if not response.url.endswith("/payback") or response.status != 200:
            return False
        return wanted(json.loads(response.request.post_data or "{}"))

    return matches


def chance(probability: float) -> int:
    """A probability as the page words it: whole percent, half up, and 0 or 100 only when
    every case is (8 cases of 8,192 are not "0 %")."""
    if probability <= 0 or probability >= 1:
        return 0 if probability <= 0 else 100
    return min(99, max(1, math.floor(probability * 100 + 0.5)))


def money_pattern(amount: float) -> str:
    """A whole amount as either locale groups its digits (8 cases in 10: no minor digits)."""
    digits = f"{abs(round(amount)):,}".replace(",", THOUSANDS)
    return ("-" if round(amount) < 0 else r"\+") + r"[^\d]*" + digits


SURE_SENTENCE = {
    "en-US": "{p}% chance it pays back within {m} months",
    "uk-UA": "З імовірністю {p}% окупиться за {m} місяців",
}
DRIVER_NAMES = {
    "en-US": {
        "/evaluation/stages/0/uplift": "leads: volume growth",
        "/evaluation/stages/1/uplift": "opportunities: conversion uplift",
        "/evaluation/stages/2/uplift": "deals: conversion uplift",
        "/evaluation/average_deal_value_uplift": "Average deal uplift",
        "/productivity/hours_saved_per_user_per_month": "Hours each saves a month",
    },
    "uk-UA": {
        "/evaluation/stages/0/uplift": "ліди: зростання кількості",
        "/evaluation/stages/1/uplift": "потенційні угоди: зростання конверсії",
        "/evaluation/stages/2/uplift": "завершені угоди: зростання конверсії",
        "/evaluation/average_deal_value_uplift": "Зростання середньої суми",
        "/productivity/hours_saved_per_user_per_month": "Годин економить кожен за місяць",
    },
}


def range_values(page: Page, key: str) -> tuple[str, str]:
    """The (from, to) a range row shows, as typed."""
    return (
        page.locator(f"#range-{key}-low").input_value(),
        page.locator(f"#range-{key}-high").input_value(),
    )


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_how_sure_says_the_chance_of_paying_back_within_the_visitors_month(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """Ranges around the visitor's own uplifts (half to one and a half of each, shape normal)
    go to the API as uncertainty; the page words its answer: the chance of paying back within
    the visitor's month, the S-curve one point a month, NPV's P10-P90 and the assumption that
    drives the risk, named as the form names it."""
    seen = visit(width, locale)
    page = seen.page
    english = locale == "en-US"
    expect(page.locator("#gain")).to_contain_text(re.compile(rf"19{THOUSANDS}082"))  # the seed
    expect(page.locator("#sure-level")).to_have_value("fair")
    expect(page.locator("#sure-within")).to_have_value("12")  # the horizon
    page.locator("#horizon").fill("18")
    expect(page.locator("#sure-within")).to_have_value("18")  # follows it, until typed
    page.locator("#cost-one_time-0-amount").fill("100000")  # pays back in about five months
    with page.expect_response(
        payback_answer_to(lambda body: body["uncertainty"]["payback_within_months"] == 5)  # type: ignore[index]
    ) as answered:
        page.locator("#sure-within").fill("5")
    sent = json.loads(answered.value.request.post_data or "{}")
    assert sent["costs"]["one_time"][0]["amount"] == 100000 and sent["horizon_months"] == 18
    ranged = [("/evaluation/stages/0/uplift", 0.015, 0.045),
              ("/evaluation/stages/1/uplift", 0.035, 0.105),
              ("/evaluation/stages/2/uplift", 0.025, 0.075),
              ("/evaluation/average_deal_value_uplift", 0.035, 0.105)]  # fmt: skip
    assert sent["uncertainty"] == {
        "ranges": [
            {"pointer": pointer, "low": low, "high": high, "shape": "normal"}
            for pointer, low, high in ranged
        ],
        "payback_within_months": 5,
    }
    sure = answered.value.json()["uncertainty"]
    within = sure["probability_payback_within"]["value"]
    assert 0.05 < within < 0.95, within  # a case the ranges leave in doubt
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    expect(page.locator("#sure-sentence")).to_have_text(
        SURE_SENTENCE[locale].format(p=chance(within), m=5)
    )
    # the S-curve: one point per month of the API's curve, each at its chance
    dots = page.locator("#sure-chart svg circle.curve-dot")
    expect(dots).to_have_count(len(sure["payback_curve"]))
    assert len(sure["payback_curve"]) == 19  # months 0..18
    tops = [float(dots.nth(i).get_attribute("cy") or "nan") for i in range(dots.count())]
    assert tops == sorted(tops, reverse=True) and tops[0] > tops[-1]  # rising to the right
    point = sure["payback_curve"][5]
    title = ("month {m}: {p}%" if english else "місяць {m}: {p}%").format(
        m=5, p=chance(point["probability"])
    )
    expect(dots.nth(5).locator("title")).to_have_text(title)
    figures = page.locator("#sure-figures")
    expect(figures).to_contain_text(re.compile(money_pattern(sure["npv"]["p10"])))
    expect(figures).to_contain_text(re.compile(money_pattern(sure["npv"]["p90"])))
    driver = DRIVER_NAMES[locale][sure["drivers"][0]["pointer"]]
    expect(figures.locator('[data-figure="sureDriver"] dd')).to_contain_text(driver)
    expect(figures).not_to_contain_text("/evaluation")
    seen.assert_no_horizontal_overflow()
    seen.screenshot(f"how-sure-{width}-{locale}.png")
    seen.assert_clean()


def test_a_range_follows_its_value_until_the_visitor_edits_it(
    visit: Callable[..., Visit],
) -> None:
    """A prefilled range always holds its value: it moves with the value, until the visitor
    types a range of their own; the level sets every range again."""
    seen = visit(1280)
    page = seen.page
    page.locator("#sure-ranges-box summary").click()
    assert range_values(page, "stage-1") == ("3.5", "10.5")
    page.locator("#stage-1-uplift").fill("10")
    assert range_values(page, "stage-1") == ("5", "15")
    page.locator("#stage-1-uplift").fill("-4")  # a fall: still from the lower to the higher
    assert range_values(page, "stage-1") == ("-6", "-2")
    page.locator("#stage-1-uplift").fill("10")
    page.get_by_label("From: Conversion uplift, % (Stage 2)", exact=True).fill("4")
    page.locator("#stage-1-uplift").fill("12")
    assert range_values(page, "stage-1") == ("4", "15")  # the visitor's own range stays
    assert range_values(page, "deal") == ("3.5", "10.5")  # the others still follow
    page.locator("#sure-level").select_option("high")  # very sure: ±20 % of each
    assert range_values(page, "stage-1") == ("9.6", "14.4")
    assert range_values(page, "stage-0") == ("2.4", "3.6")
    # a stage added in the middle gets its own range; the ranges keep their stages
    page.locator("#add-stage").click()
    expect(page.locator("#sure-ranges > li")).to_have_count(6)  # 4 stages, deal value, hours
    expect(page.locator("#sure-ranges > li").nth(2)).to_contain_text("stage 3: conversion")
    assert range_values(page, "stage-2") == ("0", "0")  # no uplift typed yet: none to range
    assert range_values(page, "stage-1") == ("9.6", "14.4")
    assert range_values(page, "stage-3") == ("4", "6")  # the won deals' 5 %, moved down
    # the time saved is ranged once someone saves time
    expect(page.locator("#range-hours-low")).to_be_hidden()
    with page.expect_response(payback_answer_to(lambda body: "productivity" in body)) as sent:
        page.locator("#prod-users").fill("10")
    ranges = json.loads(sent.value.request.post_data or "{}")["uncertainty"]["ranges"]
    assert ranges[-1] == {"pointer": "/productivity/hours_saved_per_user_per_month",
                          "low": 4, "high": 6, "shape": "normal"}  # fmt: skip
    expect(page.locator("#range-hours-low")).to_be_visible()
    seen.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_range_that_leaves_out_its_value_shows_the_apis_problem_beside_it(
    visit: Callable[..., Visit], width: int
) -> None:
    seen = visit(width)
    page = seen.page
    page.locator("#sure-ranges-box summary").click()
    page.locator("#range-stage-1-low").fill("8")  # above the 7 % typed: /uncertainty/ranges/1
    row = page.locator("#sure-ranges > li").nth(1)
    expect(row.locator(".field-error")).to_contain_text("leaves out the request's own value")
    expect(page.locator("#sure-ranges > li .field-error")).to_have_count(1)
    expect(page.locator("#stale-note")).to_be_visible()
    page.locator("#range-stage-1-low").fill("6")
    expect(row.locator(".field-error")).to_have_count(0)
    page.locator("#sure-within").fill("13")  # beyond the 12 months' horizon
    expect(page.locator("#sure-within ~ .field-error")).to_contain_text("beyond the horizon")
    expect(page.locator("#sure-within")).to_have_attribute("aria-invalid", "true")
    seen.assert_no_horizontal_overflow()
    seen.screenshot(f"how-sure-{width}-error.png")
    seen.assert_clean(allow=r"status of 422")


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_link_restores_the_ranges_and_the_target(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """The level, a range typed by hand and the visitor's month travel in the link; a range
    not typed follows its value there too."""
    seen = visit(width, locale)
    page = seen.page
    page.locator("#sure-ranges-box summary").click()
    page.locator("#sure-level").select_option("high")
    page.locator("#range-stage-2-low").fill("1")
    page.locator("#range-stage-2-high").fill("9")
    page.locator("#cost-one_time-0-amount").fill("60000")
    with page.expect_response(
        payback_answer_to(lambda body: body["uncertainty"]["payback_within_months"] == 3)  # type: ignore[index]
    ) as answered:
        page.locator("#sure-within").fill("3")
    ranges = json.loads(answered.value.request.post_data or "{}")["uncertainty"]["ranges"]
    assert (ranges[2]["low"], ranges[2]["high"]) == (0.01, 0.09)
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    sentence = page.locator("#sure-sentence").inner_text()
    assert re.search(r"\d+%", sentence), sentence
    link = page.url

    other = visit(width, "en-US", path=link.removeprefix(seen.origin))  # another browser
    opened = other.page
    expect(opened.locator("#sure-level")).to_have_value("high")
    expect(opened.locator("#sure-within")).to_have_value("3")
    assert range_values(opened, "stage-2") == ("1", "9")
    assert range_values(opened, "stage-0") == ("2.4", "3.6")  # 3 % ±20 %, as the level says
    expect(opened.locator("#sure-sentence")).to_have_text(sentence)
    opened.locator("#horizon").fill("24")
    expect(opened.locator("#sure-within")).to_have_value("3")  # typed: stays
    other.assert_no_horizontal_overflow()
    other.screenshot(f"how-sure-share-{width}-{locale}.png")
    seen.assert_clean()
    other.assert_clean()


def test_a_link_without_ranges_or_with_odd_ones_keeps_the_defaults(
    visit: Callable[..., Visit],
) -> None:
    old = visit(1280, "en-US", path=shared_link({"v": 1, "inputs": {"horizon": "24"}}))
    expect(old.page.locator("#sure-level")).to_have_value("fair")
    expect(old.page.locator("#sure-within")).to_have_value("24")  # the horizon
    assert range_values(old.page, "stage-0") == ("1.5", "4.5")
    expect(old.page.locator("#sure-sentence")).to_have_text(
        SURE_SENTENCE["en-US"].format(p=100, m=24)
    )
    odd = visit(1280, "en-US", path=shared_link({
        "v": 1, "sure": {"level": "bogus", "within": 5, "ranges": {
            "stage-0": ["1"], "stage-1": [1, 2], "deal": ["2", "12"], "stage-9": ["1", "2"]}},
    }))  # fmt: skip
    expect(odd.page.locator("#sure-level")).to_have_value("fair")
    expect(odd.page.locator("#sure-within")).to_have_value("12")
    assert range_values(odd.page, "stage-0") == ("1.5", "4.5")
    assert range_values(odd.page, "stage-1") == ("3.5", "10.5")
    assert range_values(odd.page, "deal") == ("2", "12")
    expect(odd.page.locator("#status")).to_have_attribute("data-state", "ok")
    old.assert_clean()
    odd.assert_clean()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_how_sure_csvs_hold_the_curve_and_the_percentiles_as_the_api_wrote_them(
    visit: Callable[..., Visit], width: int, locale: str
) -> None:
    """The S-curve (period, month, probability) and the percentiles of NPV, ROI and payback
    (one row each; NPV's mean and sd beside them), every number as the API wrote it; a
    percentile the API answered null (a case that never pays back) is an empty cell."""
    seen = visit(width, locale)
    page = seen.page
    page.locator("#sure-level").select_option("low")  # not very sure: ×0 to ×2
    page.locator("#cost-one_time-0-amount").fill("100000")
    with page.expect_response(
        payback_answer_to(lambda body: body["horizon_months"] == 6)
    ) as answered:
        page.locator("#horizon").fill("6")
    answer = json.loads(answered.value.text(), parse_float=str, parse_int=str)["uncertainty"]
    assert answer["payback_months"]["p95"] is None  # some cases never pay back in 6 months
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")

    with page.expect_download() as downloaded:
        page.locator("#csv-curve").click()
    assert downloaded.value.suggested_filename == "payback-curve.csv"
    rows = list(csv.DictReader(io.StringIO(Path(downloaded.value.path()).read_text())))
    assert rows == answer["payback_curve"]  # 7 months' points, "0.0" as written
    assert len(rows) == 7 and rows[0]["probability"] == "0.0"

    with page.expect_download() as downloaded:
        page.locator("#csv-percentiles").click()
    assert downloaded.value.suggested_filename == "percentiles.csv"
    table = csv.DictReader(io.StringIO(Path(downloaded.value.path()).read_text()))
    assert table.fieldnames == ["figure", "mean", "sd", "p5", "p10", "p25", "p50", "p75",
                                "p90", "p95"]  # fmt: skip
    written = {row.pop("figure"): row for row in table}
    assert list(written) == ["npv", "roi", "payback_months"]
    for figure, got in written.items():
        want = answer[figure]
        for column, text in got.items():
            assert text == ("" if want.get(column) is None else want[column]), (figure, column)
    assert written["npv"]["mean"] and written["roi"]["mean"] == ""
    seen.assert_no_horizontal_overflow()
    seen.assert_clean()


def pdf_text(pdf: bytes) -> str:
    """A PDF's text layer (pdftotext), spaces collapsed: the document's figures group their
    digits with no-break spaces."""
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def printed(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u00a0", " ").replace("\u202f", " "))


def asks_for_pdf(request: Request) -> bool:
    return request.url.endswith("/payback") and "application/pdf" in (
        request.headers.get("accept") or ""
    )


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("uk-UA", "uk")])
@pytest.mark.parametrize("width", WIDTHS)
def test_download_pdf_saves_the_services_document_of_the_case_on_the_page(
    visit: Callable[..., Visit], width: int, locale: str, language: str
) -> None:
    """Download PDF asks /payback for application/pdf with the very body of the page's last
    JSON request (its ranges too) in the page's language, and saves the service's document as
    business-case-<calculation_id>.pdf: the figures an API client gets, as the document prints
    them. The button is a screen control: not on paper."""
    seen = visit(width, locale)
    page = seen.page
    asked_json: list[Request] = []
    page.on(
        "request",
        lambda request: (
            asked_json.append(request)
            if request.url.endswith("/payback") and not asks_for_pdf(request)
            else None
        ),
    )
    with page.expect_response(
        payback_answer_to(lambda body: body["horizon_months"] == 24)
    ) as answered:
        page.locator("#horizon").fill("24")
    answer = json.loads(answered.value.text(), parse_float=Decimal)  # amounts to the letter
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    button = page.get_by_role("button", name=DOWNLOAD_PDF[locale], exact=True)
    with page.expect_request(asks_for_pdf) as asked, page.expect_download() as downloaded:
        button.click()
    request = asked.value
    headers = request.all_headers()
    assert request.method == "POST"
    assert headers["accept"].split(",")[0].strip() == "application/pdf"
    assert "application/json" not in headers["accept"].split(",")
    assert headers["accept-language"] == language
    assert request.post_data == asked_json[-1].post_data == answered.value.request.post_data
    sent = json.loads(request.post_data or "{}")
    assert sent["horizon_months"] == 24 and sent["uncertainty"]["ranges"]  # the case as it is
    assert downloaded.value.suggested_filename == f"business-case-{answer['calculation_id']}.pdf"
    pdf = Path(downloaded.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"business-case-service-{language}-{width}.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    words = WORDS[language]
    months = figures.months(float(answer["payback_months"]), language)
    for wanted in (
        answer["calculation_id"],
        MODEL_VERSION,
        words["title"],  # in the page's language
        printed(words["months_unit"].format(value=months)),  # the payback, as the page's
        printed(figures.money(Decimal(str(answer["npv"])), language)),
    ):
        assert wanted in text, (wanted, text[:400])
    # the same payback as the page's, which shows it to two places
    expect(page.locator("#payback")).to_contain_text({"en": "0.79", "uk": "0,79"}[language])
    expect(button).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#global-error")).to_be_hidden()
    seen.assert_no_horizontal_overflow()
    # on paper: no buttons, Download PDF with them
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(page.locator("#print")).to_be_hidden()
    page.emulate_media(media="screen")
    expect(button).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    seen.assert_clean()


def test_download_pdf_says_why_when_the_service_cannot_make_it(
    visit: Callable[..., Visit],
) -> None:
    """A failed PDF is said in the page's error box (the figures shown stay current, not
    stale); the button works again; a wrong field is to be fixed first, not sent."""
    seen = visit(390)
    page = seen.page
    answers = iter([
        (503, {"Retry-After": "3"}, {"title": "Service Unavailable", "status": 503}),
        (500, {}, {"title": "Internal Server Error", "status": 500,
                   "detail": "the document could not be typeset"}),
    ])  # fmt: skip

    def fail_pdf(route: Route) -> None:
        if not asks_for_pdf(route.request):
            route.continue_()
            return
        status, headers, body = next(answers)
        route.fulfill(
            status=status,
            headers=headers,
            content_type="application/problem+json",
            body=json.dumps(body),
        )

    page.route("**/payback", fail_pdf)
    button = page.get_by_role("button", name="Download PDF", exact=True)
    box = page.locator("#global-error")
    button.click()
    expect(box).to_have_text("The service is busy; try the PDF again in 3 s.")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bis-stale\b"))
    button.click()
    expect(box).to_have_text("The PDF could not be made: the document could not be typeset")
    expect(button).to_have_text("Download PDF")
    expect(button).not_to_have_attribute("aria-busy", "true")
    seen.assert_no_horizontal_overflow()
    # the next good answer clears it; a field left wrong is fixed before any PDF is asked
    page.unroute("**/payback")
    page.locator("#deal-value").fill("210")
    expect(box).to_be_hidden()
    page.locator("#deal-value").fill("")
    pdf_asked: list[Request] = []
    page.on("request", lambda request: pdf_asked.append(request) if asks_for_pdf(request) else None)
    button.click()
    expect(box).to_contain_text("Fix the highlighted field first")
    expect(page.locator("#deal-value ~ .field-error")).to_have_text("Enter a number.")
    assert pdf_asked == []
    seen.assert_clean(allow=r"status of 50[03]")
