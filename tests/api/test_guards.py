"""CORS, partner keys and rate limits, switched on through settings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
import structlog
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE
from service.http.app import create_app
from service.http.limits import RateLimiter
from service.settings import Settings, SettingsError

Client = TestClient  # type: ignore[type-arg]
SEED = json.dumps(SEED_EVALUATE).encode()
JSON = {"content-type": "application/json"}
PARTNER_KEY = "s3cret-partner-key"
SITE = "https://crm.example"


def configured(**settings: object) -> Iterator[Client]:
    app = create_app(Settings(log_format="json", **settings))  # type: ignore[arg-type]
    structlog.configure(cache_logger_on_first_use=False)
    with TestClient(app) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def guarded() -> Iterator[Client]:
    yield from configured(
        cors_origins=SITE,
        partner_key_sha256s="acme:" + hashlib.sha256(PARTNER_KEY.encode()).hexdigest(),
        rate_limit_per_minute=3,
        partner_rate_limit_per_minute=6,
    )


def test_the_allowed_origin_gets_cors_headers_and_vary(guarded: Client) -> None:
    response = guarded.post("/evaluate", content=SEED, headers={**JSON, "origin": SITE})
    assert response.headers["access-control-allow-origin"] == SITE
    assert "x-request-id" in response.headers["access-control-expose-headers"]
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_other_origins_get_no_cors_headers(guarded: Client) -> None:
    response = guarded.post(
        "/evaluate", content=SEED, headers={**JSON, "origin": "https://evil.example"}
    )
    assert response.status_code == 200  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_preflight_from_the_site_is_answered(guarded: Client) -> None:
    response = guarded.options(
        "/evaluate",
        headers={
            "origin": SITE,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SITE
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"]
    assert int(response.headers["access-control-max-age"]) > 0


def test_preflight_from_another_origin_is_403(guarded: Client) -> None:
    response = guarded.options(
        "/evaluate",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/origin-not-allowed"


def test_a_wildcard_origin_never_comes_with_credentials() -> None:
    for client in configured(cors_origins="*"):
        response = client.post(
            "/evaluate", content=SEED, headers={**JSON, "origin": "https://any.example"}
        )
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers


def test_a_wrong_partner_key_is_401(guarded: Client) -> None:
    response = guarded.post("/evaluate", content=SEED, headers={**JSON, "x-api-key": "guess"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid-api-key"
    assert "guess" not in response.text


def test_keys_are_refused_when_none_are_configured(client: Client) -> None:
    response = client.post("/evaluate", content=SEED, headers={**JSON, "x-api-key": PARTNER_KEY})
    assert response.status_code == 401


def test_anonymous_clients_are_rate_limited_with_retry_after(guarded: Client) -> None:
    statuses = [guarded.post("/evaluate", content=SEED, headers=JSON).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = guarded.post("/evaluate", content=SEED, headers=JSON)
    assert response.json()["type"] == "/problems/rate-limited"
    assert 1 <= int(response.headers["retry-after"]) <= 20
    assert guarded.get("/healthz").status_code == 200  # probes are never limited


def test_partners_have_their_own_higher_limit(guarded: Client) -> None:
    for _ in range(4):
        guarded.post("/evaluate", content=SEED, headers=JSON)  # the anonymous budget is spent
    partner = {**JSON, "x-api-key": PARTNER_KEY}
    statuses = [
        guarded.post("/evaluate", content=SEED, headers=partner).status_code for _ in range(7)
    ]
    assert statuses == [200] * 6 + [429]


def test_limits_are_off_in_the_built_in_defaults(client: Client) -> None:
    assert {
        client.post("/evaluate", content=SEED, headers=JSON).status_code for _ in range(50)
    } == {200}


def test_token_bucket_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=60)
    assert all(limiter.acquire("c", now=0.0) == 0 for _ in range(60))
    assert limiter.acquire("c", now=0.0) == pytest.approx(1.0)
    assert limiter.acquire("c", now=1.0) == 0  # one token a second


def test_the_limiter_forgets_the_oldest_clients_beyond_its_bound() -> None:
    limiter = RateLimiter(per_minute=1, max_clients=100)
    for client in range(1000):
        limiter.acquire(str(client), now=0.0)
    assert len(limiter.buckets) == 100


@pytest.mark.parametrize(
    "environ",
    [{"PORT": "0"}, {"PORT": "http"}, {"WORKERS": "100"}, {"PARTNER_KEY_SHA256S": "not-a-digest"},
     {"MAX_BODY_BYTES": "10"}, {"RATE_LIMIT_PER_MINUTE": "-1"}, {"LOG_FORMAT": "xml"}],
)  # fmt: skip
def test_bad_settings_are_refused_with_a_message(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(environ)


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"PORT": "9000", "WORKERS": "2", "CORS_ORIGINS": SITE})
    assert (settings.port, settings.workers, settings.cors_origins) == (9000, 2, SITE)
    assert Settings.from_env({}) == Settings()
