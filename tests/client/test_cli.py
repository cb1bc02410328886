"""The command line: its argument errors, in both languages, before anything reaches the platform; the
platform's refusals as the consumer reads them."""

from __future__ import annotations

import csv

import httpx
import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata_client import cli
from pubdata_client.api import Api
from pubdata_client.problems import WORDS, ClientError

CODE = "91341700MA0000003A"  # not checked before the offer names the item kind: the file is read first


def _nowhere() -> httpx.Client:
    """An HTTP client whose every request fails the test: the checks below must refuse before sending."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.method} {request.url}")

    return httpx.Client(transport=httpx.MockTransport(refuse))


def _input(tmp_path):
    path = tmp_path / "applicants.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["统一社会信用代码"], [CODE]])
    return path


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_missing_token_is_refused_in_the_language_asked(tmp_path, capsys, monkeypatch, lang):
    monkeypatch.delenv("PUBDATA_TOKEN", raising=False)
    argv = ["match", "--product", "P1", "--input", str(_input(tmp_path)), "--column", "统一社会信用代码"]
    code = cli.main([*argv, "--output", str(tmp_path / "out.csv"), "--lang", lang], http=_nowhere())
    assert code == 2
    zh, en = WORDS["cli.token"]
    assert (en if lang == "en" else zh) in capsys.readouterr().err


def test_a_wrong_output_is_refused_before_any_request(tmp_path, capsys):
    argv = ["match", "--product", "P1", "--token", "t", "--input", str(_input(tmp_path))]
    assert (
        cli.main([*argv, "--column", "统一社会信用代码", "--output", str(tmp_path / "out.json")], http=_nowhere()) == 1
    )
    assert "不支持的输出格式 .json" in capsys.readouterr().err


def test_a_missing_input_file_is_refused_before_any_request(tmp_path, capsys):
    argv = ["lookup", "--product", "P1", "--token", "t", "--input", str(tmp_path / "none.csv"), "--column", "c"]
    assert cli.main([*argv, "--output", str(tmp_path / "o.csv"), "--lang", "en"], http=_nowhere()) == 1
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["match"],
        ["match", "--product", "P1"],  # no input, column or output
        ["score", "--product", "P1", "--input", "a.csv", "--column", "c"],  # no output
        ["keys"],
        ["offer", "--product", "P1", "--lang", "fr"],
        ["launch"],
    ],
)
def test_a_wrong_command_line_exits_2_with_its_usage(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv, http=_nowhere())
    assert stopped.value.code == 2
    assert "usage: pubdata-client" in capsys.readouterr().err


def test_scoring_without_a_key_is_refused_before_any_request(tmp_path, capsys):
    argv = ["score", "--product", "P1", "--token", "t", "--keys", str(tmp_path / "keys"), "--input"]
    argv += [str(_input(tmp_path)), "--column", "统一社会信用代码", "--output", str(tmp_path / "o.csv")]
    assert cli.main(argv, http=_nowhere()) == 1
    assert "keys new" in capsys.readouterr().err


def test_the_platforms_refusal_is_its_rule_and_sentence(platform, capsys):
    """A real app: a token it does not know is refused by its rule, in the language the client asked for."""
    with TestClient(create_app(platform)) as http:
        for lang, words in (("zh-CN", "令牌"), ("en", "token")):
            api = Api("http://testserver", "not-a-token", http=http, lang=lang)
            with pytest.raises(ClientError) as refused:
                api._request("GET", "http://testserver/api/v1/me")
            assert refused.value.status == 401 and refused.value.rule.startswith("identity.")
            assert words in refused.value.message.lower()
