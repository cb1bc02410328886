// Checking a ledger entry in the reader's own browser, with nothing of the platform's code in the loop but the
// numbers it publishes: the entry's leaf hash and inclusion proof, and the signed tree head
// (GET /api/v1/ledger/entries/{seq}). SM3 and SM2 come from sm-crypto (static/sm-crypto, from the npm registry).
//
// 1. The proof: from the leaf hash, hash up the audit path (RFC 9162 §2.1.3.2: node = SM3(0x01 ‖ left ‖ right))
//    and compare the result with the root the tree head names.
// 2. The signature: SM2 (GB/T 32918, default user ID 1234567812345678) over the tree head's exact bytes, with the
//    public key the tree head names; and the root, size and time in those bytes are the ones used in step 1.
// 3. The key: its SM3 fingerprint, to compare with the one the reader saved before (kept in this browser).
(function () {
  "use strict";

  function bytesOf(hex) {
    const out = [];
    for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.substr(i, 2), 16));
    return out;
  }

  function base64ToHex(text) {
    const raw = atob(text);
    let hex = "";
    for (let i = 0; i < raw.length; i += 1) hex += raw.charCodeAt(i).toString(16).padStart(2, "0");
    return hex;
  }

  function node(left, right) {
    return window.sm3([0x01].concat(bytesOf(left), bytesOf(right)));
  }

  // RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof has the wrong shape.
  function rootFromProof(leafIndex, treeSize, leafHash, path) {
    if (leafIndex >= treeSize) return null;
    let fn = leafIndex;
    let sn = treeSize - 1;
    let r = leafHash;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = node(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = node(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  function show(box, name, passed, detail) {
    const item = box.querySelector(`[data-step="${name}"]`);
    item.dataset.passed = passed ? "yes" : "no";
    item.querySelector(".result").textContent = passed ? box.dataset.yes : box.dataset.no;
    if (detail !== undefined) item.querySelector(".detail").textContent = detail;
    return passed;
  }

  async function check(box) {
    const answer = await fetch(box.dataset.source, { headers: { Accept: "application/json" } });
    if (!answer.ok) throw new Error(String(answer.status));
    const found = await answer.json();
    const head = found.tree_head;
    const proof = found.inclusion_proof;
    if (head.hash_algorithm !== "sm3" || head.signature_algorithm !== "sm2") {
      box.querySelector("[data-testid=verdict]").textContent = box.dataset.unsupported;
      box.dataset.verdict = "unsupported";
      return;
    }
    const root = rootFromProof(proof.leaf_index, proof.tree_size, found.entry.leaf_hash, proof.audit_path);
    const included = show(box, "inclusion", root !== null && root === head.root_hash, root || "—");
    let signed = {};
    try {
      signed = JSON.parse(head.signed_message);
    } catch (error) {
      signed = {};
    }
    const sameHead =
      signed.root_hash === head.root_hash && signed.size === proof.tree_size && signed.hash === "sm3";
    const publicKey = base64ToHex(head.public_key);
    const signature = base64ToHex(head.signature);
    const valid = window.sm2.doVerifySignature(head.signed_message, signature, publicKey, {
      der: true,
      hash: true,
      userId: "1234567812345678",
    });
    const signedOk = show(box, "signature", sameHead && valid, head.signed_message);
    const fingerprint = window.sm3(bytesOf(publicKey)).slice(0, 32);
    const seen = window.localStorage.getItem("pubdata-ledger-key");
    if (!seen) window.localStorage.setItem("pubdata-ledger-key", fingerprint);
    const keyOk = show(box, "key", !seen || seen === fingerprint, fingerprint);
    const verdict = box.querySelector("[data-testid=verdict]");
    const passed = included && signedOk && keyOk;
    box.dataset.verdict = passed ? "verified" : "failed";
    verdict.textContent = passed ? box.dataset.verified : box.dataset.failed;
    verdict.className = passed ? "notice" : "error";
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const box of document.querySelectorAll("[data-verify]")) {
      check(box).catch(function () {
        box.dataset.verdict = "failed";
        box.querySelector("[data-testid=verdict]").textContent = box.dataset.unreachable;
      });
    }
  });
})();
