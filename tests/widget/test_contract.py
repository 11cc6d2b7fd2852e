"""The widget's contract kept in step without a browser: both sides of the message protocol
name the same message types, the embed contract documents each of them, and no script posts
a message to any origin ("*")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "widget" / "scheduling-sdk.js"
FRAME = ROOT / "static" / "js" / "embed.js"
CONTRACT = ROOT / "widget" / "README.md"

MESSAGES_BLOCK = re.compile(r"\n  var MESSAGES = \{\n((?:    [A-Z_]+: \"[a-zA-Z]+\",?\n)+)  \};\n")
POST_MESSAGE_TO_ANYONE = re.compile(
    r"""postMessage\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*?,\s*(["'`])\*\1\s*[,)]""",
    re.DOTALL,
)


def message_types(path: Path) -> dict[str, str]:
    block = MESSAGES_BLOCK.search(path.read_text(encoding="utf-8"))
    assert block, f'{path.name}: MESSAGES must stay one KEY: "value" per line'
    return dict(re.findall(r'([A-Z_]+): "([a-zA-Z]+)"', block.group(1)))


def documented_types() -> set[str]:
    """The ``type`` column of the contract's messages table."""
    text = CONTRACT.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (?:frame|host) → (?:host|frame) \| `([a-zA-Z]+)` \|", text, re.M)
    return set(rows)


def test_the_sdk_and_the_frame_name_the_same_messages():
    sdk = message_types(SDK)
    assert sdk == message_types(FRAME)
    assert sdk == {
        "READY": "ready",
        "RESIZE": "resize",
        "BOOKING_COMPLETE": "bookingComplete",
        "PAYMENT_FAILED": "paymentFailed",
        "CLOSE": "close",
        "PREFILL": "prefill",
    }


def test_the_contract_documents_every_message():
    assert documented_types() == set(message_types(SDK).values())


def test_both_sides_speak_the_same_protocol_version():
    version = re.compile(r'var PROTOCOL = "([^"]+)";')
    assert version.search(SDK.read_text())[1] == version.search(FRAME.read_text())[1]
    assert f'"{version.search(SDK.read_text())[1]}"' in CONTRACT.read_text()


def _scripts_that_post_messages() -> list[Path]:
    files = list((ROOT / "widget").rglob("*.js"))
    files += list((ROOT / "templates").rglob("*.html"))
    files += list((ROOT / "static" / "js").rglob("*.js"))
    return files


def test_no_message_is_posted_to_any_origin():
    # The check itself must catch what it is looking for.
    assert POST_MESSAGE_TO_ANYONE.search('parent.postMessage({a: f(1)}, "*")')
    assert POST_MESSAGE_TO_ANYONE.search("w.postMessage(\n  {type: 'x'},\n  '*'\n);")
    assert not POST_MESSAGE_TO_ANYONE.search('parent.postMessage({a: "*"}, origin)')
    files = _scripts_that_post_messages()
    assert SDK in files and FRAME in files
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in files
        for match in POST_MESSAGE_TO_ANYONE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "postMessage with target origin '*':\n" + "\n".join(offenders)
