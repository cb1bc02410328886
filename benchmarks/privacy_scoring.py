"""Encrypted joint scoring (pubdata.privacy.scoring, pubdata_client.scoring) beside raw TenSEAL, in one run.

Run: .venv/bin/python benchmarks/privacy_scoring.py [--applicants 4096] [--features 4] [--rounds 5]
(or through benchmarks/privacy_bench.py, which prints the three protocols' rows in one table). Numbers are
recorded, not asserted.

- The platform's run over ``--applicants`` applicants (one ciphertext per private feature, full slots): our
  ``scoring.score`` (every check of the context and ciphertexts, the context kept loaded from an earlier run)
  beside raw TenSEAL doing the same arithmetic on the same bytes with a context it loaded once (deserialise
  the ciphertexts, one plain multiplication per feature, the additions, the plain part, the cubic if asked,
  serialise); applicants per second, median of ``--rounds``, interleaved so a busy spell hits both alike.
- Our run with the context loaded from its bytes (a run after the key was registered, or after it left the
  cache): what loading 2 MB of relinearisation keys adds.
- The bank's side: keys, encryption of the features, decryption of the answer.
- Sizes: public context, a fresh ciphertext, the answers; precision against the plain computation.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import tenseal as ts

from pubdata.privacy import scoring
from pubdata_client import scoring as client
from pubdata_protocol import ckks

Row = dict[str, Any]


def timed(operation: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = operation()
    return result, time.perf_counter() - start


def synthetic(applicants: int, features: int) -> tuple[dict[str, list[float]], dict[str, float], list[float]]:
    """Standardised features (the bank's), weights and a plain part (the platform's) keeping scores in [−8, 8]."""
    rng = np.random.default_rng(14)
    columns = {f"x{i}": rng.normal(size=applicants).tolist() for i in range(features)}
    weights = {name: float(w) for name, w in zip(columns, rng.uniform(-0.8, 0.8, features), strict=True)}
    plain = rng.uniform(-1.5, 1.5, applicants).tolist()
    return columns, weights, plain


def raw_score(
    context: ts.Context, ciphertexts: dict[str, bytes], weights: dict[str, float], plain: list[float], logistic: bool
) -> bytes:
    """The same arithmetic in plain TenSEAL, with no checks: what our core is measured against."""
    vectors = {name: ts.ckks_vector_from(context, data) for name, data in ciphertexts.items()}
    names = sorted(weights)
    total = vectors[names[0]] * weights[names[0]]
    for name in names[1:]:
        total += vectors[name] * weights[name]
    total = total + plain
    if logistic:
        c0, c1, _, c3 = ckks.LOGISTIC
        total = total.square() * (total * c3) + total * c1 + c0
    result: bytes = total.serialize()
    return result


def platform_rows(secret: bytes, public: bytes, *, applicants: int, features: int, rounds: int) -> list[Row]:
    columns, weights, plain = synthetic(applicants, features)
    ciphertexts = client.encrypt(secret, columns)
    raw_context = ts.context_from(public)
    truth = sum(weights[name] * np.array(values) for name, values in columns.items()) + np.array(plain)
    rows: list[Row] = []
    for logistic in (False, True):

        def ours(logistic: bool = logistic) -> bytes:
            return scoring.score(public, ciphertexts, weights=weights, plain_part=plain, logistic=logistic)

        def raw(logistic: bool = logistic) -> bytes:
            return raw_score(raw_context, ciphertexts, weights, plain, logistic)

        answer = ours()  # loads the context into the cache: the runs below find it there
        raw()
        ours_s, raw_s = [], []
        for _ in range(rounds):
            ours_s.append(timed(ours)[1])
            raw_s.append(timed(raw)[1])
        scoring._contexts.clear()  # a cold run: the context loaded from its bytes
        _, cold_s = timed(ours)
        expected = np.array([ckks.logistic(z) for z in truth]) if logistic else truth
        error = float(np.max(np.abs(np.array(client.decrypt(secret, answer, applicants)) - expected)))
        output = "logistic" if logistic else "linear"
        up = sum(len(data) for data in ciphertexts.values())
        ours_median, raw_median = statistics.median(ours_s), statistics.median(raw_s)
        rows += [
            _row(f"raw TenSEAL, {output}", applicants, raw_median, note=f"{features} features, context loaded once"),
            _row(
                f"platform score, {output}",
                applicants,
                ours_median,
                bytes_up=up,
                bytes_down=len(answer),
                ratio=raw_median / ours_median,
                note=f"checks included; max error {error:.1e}" + (" vs the cubic" if logistic else ""),
            ),
            _row(f"platform score, {output}, context loaded", applicants, cold_s, ratio=raw_median / cold_s),
        ]
    return rows


def _row(case: str, items: int, seconds: float, **extra: Any) -> Row:
    return {"protocol": "joint_scoring", "case": case, "items": items, "seconds": seconds,
            "per_second": items / seconds, **extra}  # fmt: skip


def client_rows(*, applicants: int, features: int) -> tuple[bytes, bytes, list[Row]]:
    (secret, public), keys_s = timed(client.new_keys)
    columns, weights, plain = synthetic(applicants, features)
    ciphertexts, encrypt_s = timed(lambda: client.encrypt(secret, columns))
    answer = scoring.score(public, ciphertexts, weights=weights, plain_part=plain, logistic=False)
    _, decrypt_s = timed(lambda: client.decrypt(secret, answer, applicants))
    fresh = len(next(iter(ciphertexts.values())))
    rows = [
        {"protocol": "joint_scoring", "case": "bank: new keys", "seconds": keys_s,
         "note": f"public context {len(public):,} B, secret context {len(secret):,} B"},
        _row("bank: encrypt", applicants, encrypt_s, bytes_up=fresh * features,
             note=f"{features} ciphertexts of {fresh:,} B"),
        _row("bank: decrypt", applicants, decrypt_s, bytes_down=len(answer)),
    ]  # fmt: skip
    return secret, public, rows


def run(applicants: int = ckks.SLOTS, features: int = 4, rounds: int = 5) -> list[Row]:
    secret, public, rows = client_rows(applicants=applicants, features=features)
    return rows + platform_rows(secret, public, applicants=applicants, features=features, rounds=rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--applicants", type=int, default=ckks.SLOTS)
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for row in run(args.applicants, args.features, args.rounds):
        print(row, file=sys.stdout)


if __name__ == "__main__":
    main()
