"""`agreements verify-receipt`: check an acceptance receipt offline, explained in Chinese.

Each check is ok, failed, or undecided (what it needs is not at hand: the service's keys, the
project's published text). The result is failed when any check failed, else undecided when
any is undecided, else ok — exit codes 1, 3 and 0.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from generator.acceptance.canonical import canonical, sha256_hex
from generator.acceptance.catalog import beijing, lock_entry_hash, text_hash
from generator.acceptance.keys import public_keys, signature_valid
from generator.acceptance.ledger import RECEIPT_TYPE
from generator.acceptance.merkle import consistent, leaf_hash, root_from_inclusion
from generator.acceptance.timestamps import check_timestamp
from generator.content.citation import chinese_date
from generator.content.versions import VERSIONS_DIR, file_digests, read_lock
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

OK, FAILED, UNDECIDED = "ok", "failed", "undecided"


@dataclass(frozen=True)
class Check:
    name: str
    outcome: str
    explanation: str  # 中文, for the reader of the evidence


def _hex_list(value) -> list[bytes]:
    if not isinstance(value, list):
        raise ValueError("proof is not a list")
    return [bytes.fromhex(item) for item in value]


def check_signature(receipt: dict, keys) -> Check:
    if keys is None:
        return Check("signature", UNDECIDED, "未提供服务的公钥文件（--keys agreements-keys.json），无法判断回执签名。")
    if signature_valid(receipt, keys):
        return Check("signature", OK, f"回执的 Ed25519 签名有效（密钥 {receipt['key_id']}）。")
    return Check("signature", FAILED, "回执的签名无效：回执内容在签发后被改动，或并非由该服务签发。")


def check_event(receipt: dict, part: str) -> Check:
    """A leaf commits to its data by hash, and the inclusion proof leads to the signed root."""
    record = receipt[part]
    leaf, data, head = record["leaf"], record["data"], receipt["tree_head"]
    label = "同意事件" if part == "acceptance" else "展示事件"
    if leaf["data_sha256"] != sha256_hex(canonical(data)):
        return Check(f"{part}-data", FAILED, f"{label}的数据与日志叶子中的哈希不符。")
    if leaf["version_hash"] != receipt["version"]["version_hash"] or data["account_id"] != receipt["account_id"]:
        return Check(f"{part}-data", FAILED, f"{label}记录的账户或版本与回执不一致。")
    root = root_from_inclusion(record["leaf_index"], head["tree_size"], leaf_hash(canonical(leaf)),
                               _hex_list(record["inclusion_proof"]))
    if root is None or root.hex() != head["root_hash"]:
        return Check(f"{part}-inclusion", FAILED, f"{label}的包含证明不能推出签名树头的根哈希。")
    return Check(f"{part}-inclusion", OK, f"{label}是默克尔日志第{record['leaf_index']}号叶子，"
                 f"包含于大小为{head['tree_size']}的签名树头中。")


def check_links(receipt: dict) -> Check:
    acceptance, presentation = receipt["acceptance"], receipt["presentation"]
    leaf = acceptance["leaf"]
    same = (leaf["type"] == "acceptance" and leaf["event_id"] == receipt["acceptance_id"]
            and leaf["recorded_at"] == receipt["accepted_at"]
            and acceptance["data"]["version"] == receipt["version"])
    if presentation is not None:
        same = same and presentation["leaf"]["type"] == "presentation" and \
            presentation["leaf"]["event_id"] == acceptance["data"]["presentation_id"]
    if not same:
        return Check("links", FAILED, "回执各部分（同意事件、展示事件、版本）之间互不对应。")
    return Check("links", OK, "同意事件引用了本回执所载的展示事件和协议版本。")


def check_tree_head(receipt: dict, keys) -> Check:
    if keys is None:
        return Check("tree-head", UNDECIDED, "未提供服务的公钥文件，无法判断树头签名。")
    if signature_valid(receipt["tree_head"], keys):
        return Check("tree-head", OK, f"签名树头有效（日志大小{receipt['tree_head']['tree_size']}）。")
    return Check("tree-head", FAILED, "签名树头的签名无效。")


def check_version(receipt: dict, root: Path | None) -> Check:
    version = receipt["version"]
    if root is None or not (root / "content").is_dir():
        return Check("version", UNDECIDED, "未找到项目的已发布版本（--root），无法核对协议文本。")
    entry = read_lock(root).get(version["date"])
    if entry is None:
        return Check("version", FAILED, f"{version['date']}版不在 content/published.lock.json 中。")
    if lock_entry_hash(entry) != version["version_hash"]:
        return Check("version", FAILED, "回执中的版本哈希与已发布锁文件中该版本的记录不符。")
    folder = root / VERSIONS_DIR / version["date"]
    try:
        return _check_text(folder, entry, version)
    except AgreementsError as exc:
        return Check("version", FAILED, f"该版本的文件无法读取或已损坏：{library_reason(exc)}")


def _check_text(folder: Path, entry: dict, version: dict) -> Check:
    if not folder.is_dir() or file_digests(folder) != entry:
        return Check("version", FAILED, "该版本的文件已与发布时锁定的 SHA-256 不同：协议文本被改动。")
    if _text_hash(str(folder), tuple(sorted(entry.items()))) != version["text_sha256"]:
        return Check("version", FAILED, "按已发布文件生成的协议文本与回执记录的文本哈希不符。")
    return Check("version", OK, f"版本哈希与文本哈希均与已发布的{version['date']}版一致。")


@functools.lru_cache(maxsize=8)
def _text_hash(folder: str, _digests: tuple) -> str:
    """The text hash of a version folder whose files have ``_digests`` (the cache key)."""
    from generator.content.resolve import resolve_version
    from generator.content.versions import source_digest

    return text_hash(resolve_version(Path(folder), source_digest(Path(folder))))


def check_checkpoint(receipt: dict, checkpoint: dict, keys, tsa_roots=None) -> list[Check]:
    head, later = receipt["tree_head"], checkpoint["tree_head"]
    found = [Check("checkpoint", OK if keys and signature_valid(later, keys) else
                   (UNDECIDED if keys is None else FAILED),
                   "检查点的签名树头" + ("有效。" if keys and signature_valid(later, keys) else "签名未能确认。"))]
    proof = checkpoint.get("consistency") or {}
    if later["tree_size"] < head["tree_size"]:
        return found + [Check("consistency", UNDECIDED, "该检查点早于回执（日志更小），不能证明回执；请取回执之后的检查点。")]
    if later["tree_size"] == head["tree_size"]:
        agrees = later["root_hash"] == head["root_hash"]
    else:
        agrees = proof.get("from_size") == head["tree_size"] and consistent(
            head["tree_size"], later["tree_size"], bytes.fromhex(head["root_hash"]),
            bytes.fromhex(later["root_hash"]), _hex_list(proof.get("proof", [])))
    found.append(Check("consistency", OK if agrees else FAILED,
                       f"一致性证明表明回执的日志（大小{head['tree_size']}）是检查点日志（大小{later['tree_size']}）的前缀。"
                       if agrees else "一致性证明不成立：日志在回执签发后被改写，或证明不属于本回执。"))
    if checkpoint.get("timestamp_token"):
        found.append(_timestamp(checkpoint["timestamp_token"], later, tsa_roots))
    return found


def _timestamp(token: str, tree_head: dict, tsa_roots) -> Check:
    stamp = check_timestamp(token, tree_head, tsa_roots or ())
    if not stamp.ok:
        return Check("timestamp", FAILED, "检查点的 RFC 3161 时间戳无效或不属于该检查点。")
    said = f"RFC 3161 时间戳有效：{stamp.tsa}证明该检查点不晚于{stamp.time}已存在"
    if tsa_roots is None:
        return Check("timestamp", OK, said + "（未核验时间戳机构的证书链；可用 --tsa-trust 指定根证书）。")
    if not stamp.trusted:
        return Check("timestamp", FAILED, said + "，但时间戳机构的证书不属于 --tsa-trust 指定的根证书。")
    return Check("timestamp", OK, said + "，时间戳机构的证书链至 --tsa-trust 指定的根证书。")


def verify_receipt(receipt: dict, *, keys_doc: dict | None, root: Path | None,
                   checkpoint: dict | None = None, tsa_roots=None) -> list[Check]:
    """Every check of the receipt; ``tsa_roots`` (certificates), when given, must anchor the
    checkpoint's timestamp authority."""
    if not isinstance(receipt, dict) or receipt.get("type") != RECEIPT_TYPE:
        return [Check("format", FAILED, f"不是同意回执（type 应为 {RECEIPT_TYPE}）。")]
    keys = public_keys(keys_doc) if keys_doc is not None else None
    try:
        checks = [check_signature(receipt, keys), check_tree_head(receipt, keys), check_links(receipt),
                  check_event(receipt, "acceptance")]
        if receipt["presentation"] is not None:
            checks.append(check_event(receipt, "presentation"))
        checks.append(check_version(receipt, root))
        if checkpoint is not None:
            checks += check_checkpoint(receipt, checkpoint, keys, tsa_roots)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [Check("format", FAILED, f"回执结构不完整或字段类型错误：{library_reason(exc)}。")]
    return checks


def summary(receipt: dict) -> str:
    """What the receipt says happened, in one Chinese sentence (for the reader of the report)."""
    try:
        said = (f"账户 {receipt['account_id']} 于{beijing(receipt['accepted_at'])}同意"
                f"《数据技术服务使用协议》（{chinese_date(receipt['version']['date'])}版）")
        shown = (receipt.get("presentation") or {}).get("data")
        if shown:
            said += (f"；同意前展示了{len(shown['displayed_clauses'])}处加粗提示条款，"
                     f"{'打开' if shown['explanation_opened'] else '未打开'}了说明，"
                     f"{'已' if shown['scrolled_to_end'] else '未'}阅读至提示条款末尾")
        return said + "。"
    except (KeyError, TypeError, ValueError, AttributeError):
        return "回执内容不完整，无法概述。"


def outcome(checks: list[Check]) -> str:
    outcomes = {check.outcome for check in checks}
    return FAILED if FAILED in outcomes else UNDECIDED if UNDECIDED in outcomes else OK


def load_certificates(paths) -> list:
    """PEM or DER certificates as asn1crypto objects (the --tsa-trust roots)."""
    from asn1crypto import pem, x509

    found = []
    for path in paths:
        if not Path(path).is_file():
            raise AgreementsError(_("the certificate is not there; check the path"), file=path)
        data = Path(path).read_bytes()
        try:
            blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            found += [x509.Certificate.load(der) for der in blocks]
            [c.native for c in found]  # noqa: B018 - parse now, so that a bad file fails here
        except (ValueError, TypeError) as exc:
            raise AgreementsError(_("not a certificate ({reason})").format(reason=library_reason(exc)), file=path) from None
    return found


def load_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise AgreementsError(_("{what} is not there; check the path").format(what=what), file=path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AgreementsError(_("{what} is not valid JSON ({reason})").format(what=what, reason=library_reason(exc)),
                              file=path) from None
