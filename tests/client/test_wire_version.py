"""A client speaks one version of the wire and refuses a platform speaking another, in words, before it sends
anything of the bank's: a version-1 platform hashes PSI items without their set version, so a version-2 client
would otherwise find no match and say nothing. (The platform here is a stand-in answering one offer: what is
tested is the client's reading of it; tests/client/test_capture.py runs the client against the real app.)"""

from __future__ import annotations

import httpx
import pytest

from pubdata_client.api import Api
from pubdata_client.problems import ClientProblem
from pubdata_protocol import VERSION

OFFER = {
    "product": "CP-0003",
    "protocol": "psi",
    "contract_id": 7,
    "set_version": "a" * 64,
    "key_id": "b" * 64,
    "max_items_per_run": 1000,
    "items_left": 1000,
}


def _api(offer: dict) -> tuple[Api, list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=offer)

    return Api("http://platform.test", "token", http=httpx.Client(transport=httpx.MockTransport(answer))), asked


def test_an_offer_of_this_clients_version_is_read():
    api, _ = _api({**OFFER, "wire_version": VERSION})
    assert api.offer("CP-0003").set_version == "a" * 64


@pytest.mark.parametrize("version", [VERSION - 1, VERSION + 1])
def test_an_offer_of_another_version_is_refused_in_both_languages(version):
    api, asked = _api({**OFFER, "wire_version": version})
    with pytest.raises(ClientProblem) as refused:
        api.offer("CP-0003")
    assert refused.value.key == "flow.wire-version"
    assert "pubdata-client" in refused.value.text("zh-CN") and "update" in refused.value.text("en")
    assert [request.method for request in asked] == ["GET"]  # nothing was sent but the offer's question
