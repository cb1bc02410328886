"""The platform's privacy-computing API, as the consumer's machine calls it (``pubdata_protocol.messages``).

``Api`` wraps one ``httpx.Client`` (a starlette ``TestClient`` is one, so the tests and the demo drive the app in
process through exactly this code). A refusal comes back as problem+json naming its rule: it becomes
``ClientError(status, rule, message)``. The bytes each way are counted, so a run can say what it cost on the wire.
"""

from __future__ import annotations

from typing import Any

import httpx

from pubdata_client.problems import ClientError, ClientProblem
from pubdata_protocol import VERSION
from pubdata_protocol.messages import (
    KeyIn,
    KeyOut,
    Offer,
    RunAnswer,
    RunRequest,
    ScoringAnswer,
    ScoringRequest,
    encode,
)

# A set's setup or label table and a scoring run can take a while on a busy server; connecting should not.
TIMEOUT = httpx.Timeout(300.0, connect=10.0)
SET_VERSION_HEADER = "X-Pubdata-Set-Version"
KEY_ID_HEADER = "X-Pubdata-Key-Id"


class Api:
    """One consumer's session with the platform: its base URL and API token."""

    def __init__(self, base_url: str, token: str, *, http: httpx.Client | None = None, lang: str = "zh-CN") -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http if http is not None else httpx.Client(timeout=TIMEOUT)
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": lang}
        self.sent = 0  # request bytes (bodies and URLs), for the run's report
        self.received = 0  # response bodies

    def _path(self, code: str, tail: str = "") -> str:
        return f"{self.base_url}/api/v1/products/{code}/privacy{tail}"

    def _request(self, method: str, url: str, *, body: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, url, content=body, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise ClientProblem("http.unreachable", url=self.base_url, reason=type(error).__name__) from None
        self.sent += len(url) + (len(body) if body is not None else 0)
        self.received += len(response.content)
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    def offer(self, code: str) -> Offer:
        """What the product runs on now for this consumer's contract: set version, key, limits."""
        offer = Offer.model_validate_json(self._request("GET", self._path(code)).content)
        if offer.wire_version != VERSION:
            raise ClientProblem("flow.wire-version", server=offer.wire_version, client=VERSION)
        return offer

    def setup(self, code: str, set_version: str) -> bytes:
        """The set version's PSI setup or encrypted label table (binary), fetched once per version."""
        response = self._request("GET", self._path(code, "/setup"), params={"set_version": set_version})
        served = response.headers.get(SET_VERSION_HEADER)
        if served is not None and served != set_version:
            raise ClientProblem("flow.setup-version", found=served, wanted=set_version)
        return response.content

    def register_key(self, code: str, context: bytes) -> KeyOut:
        """Registers the consumer's public CKKS context (never its secret key) for the product's runs."""
        body = KeyIn(context=encode(context)).model_dump_json()
        return KeyOut.model_validate_json(self._request("POST", self._path(code, "/keys"), body=body).content)

    def run(self, code: str, request: RunRequest) -> RunAnswer:
        """One PSI or labelled-lookup run."""
        body = request.model_dump_json()
        return RunAnswer.model_validate_json(self._request("POST", self._path(code, "/runs"), body=body).content)

    def score(self, code: str, request: ScoringRequest) -> ScoringAnswer:
        """One joint-scoring run."""
        body = request.model_dump_json()
        return ScoringAnswer.model_validate_json(self._request("POST", self._path(code, "/runs"), body=body).content)

    def close(self) -> None:
        self.http.close()


def _refusal(response: httpx.Response) -> ClientError:
    """The platform's problem+json as a ClientError; an answer without one (a proxy's page) by its status."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict) and isinstance(problem.get("rule"), str):
        message = problem.get("detail") or problem.get("title") or ""
        return ClientError(response.status_code, problem["rule"], str(message))
    return ClientError(response.status_code, f"http.{response.status_code}", response.reason_phrase or "")
