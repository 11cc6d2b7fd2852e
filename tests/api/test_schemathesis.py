"""The API keeps to its own description: Schemathesis reads /api/openapi.json from a real
server holding the demo clinic and sends every operation valid and invalid requests. No
answer may be a server error, and every answer's status, content type and body must be
the ones described.

Management calls go with the demo's organization API key, customer calls with a customer's
access token and account-level calls with the account API key. Path ids and the ids a body
names are real ones of the demo (some made to be changed or deleted), so that the calls
reach past "not found"; the website is changed in its draft so that it stays on for the
other calls."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.api.live_demo import SIGN_IN_EMAIL, LiveDemo, serve_demo

CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
)
SEED = 20261121
MAX_EXAMPLES = 3
TIME_LIMIT = 240  # seconds; the runs take well under a minute
ST = Path(sys.executable).with_name("st")
# One Schemathesis run is serial: the operations are split in two halves of about the same
# work, run side by side.
HALF = (
    "^/api/management/"
    "(website|customFields|types|organizations|account|webhooks|customers|resources/[^/]+/)"
)
SHARDS = (("--include-path-regex", HALF), ("--exclude-path-regex", HALF))
TWIN_EXAMPLES = 30
TWINS = (
    "management_type_create|management_resource_create|management_customer_fields_update"
    "|management_scheduling_temporary|availability_resource_categories|availability_types"
)


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory):
    with serve_demo(tmp_path_factory.mktemp("live-demo")) as live:
        yield live


def _value(value) -> str:
    """A TOML value: JSON strings and numbers are TOML too; objects become inline tables."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _sections(live: LiveDemo) -> list[tuple[str, dict, dict]]:
    """(operation ids, headers, parameters) of the operations that need their own. A
    Schemathesis section matches when any of its filters does, so each has one filter."""
    ids, free = live.ids, live.free
    customer = {"Authorization": f"Bearer {live.customer_token}"}
    account = {"Authorization": f"Bearer {live.account_key}"}

    def booking(slot: int, **more) -> dict:
        return {"body.date": free[slot][0], "body.time": free[slot][1], **more}

    def acting_on(booking_id: str) -> dict:
        return {"body.bookingId": booking_id}

    someone = {"body.customerIdentifier": {"id": ids["customer"]}}
    return [
        (
            "otp_verify",
            {},
            {"body.method": "email", "body.email": SIGN_IN_EMAIL, "body.code": live.code},
        ),
        ("scheduling_new", customer, booking(0)),
        (
            "bookings_list|booking_get|booking_cancel|profile_get|profile_update|invoices_list"
            "|invoice_get",
            customer,
            {
                "path.booking_id": ids["own_booking"],
                "body.bookingId": ids["own_booking"],
                "path.invoice_id": ids["own_invoice"],
            },
        ),
        ("management_scheduling_new", {}, booking(1, **someone)),
        ("management_scheduling_temporary", {}, booking(2, **someone)),
        ("management_scheduling_confirm", {}, acting_on(ids["hold"])),
        ("management_booking_approve", {}, acting_on(ids["pending_booking"])),
        ("management_booking_reject", {}, acting_on(ids["request_booking"])),
        ("management_booking_cancel", {}, acting_on(ids["cancel_booking"])),
        ("management_booking_end", {}, acting_on(ids["started_booking"])),
        ("management_booking_assign", {}, acting_on(ids["queued_booking"])),
        (
            "management_(resource|time_rules|off_rules)_update",
            {},
            {"path.resource_id": ids["spare_resource"]},
        ),
        ("management_resource_delete", {}, {"path.resource_id": ids["doomed_resource"]}),
        ("management_type_update", {}, {"path.type_id": ids["spare_type"]}),
        ("management_type_delete", {}, {"path.type_id": ids["doomed_type"]}),
        ("website_settings_put", {}, {"query.version": "draft"}),
        ("organization_delete", account, {"path.organization_id": ids["spare_organization"]}),
        ("organization_key_delete", account, {"path.name": ids["spare_organization_key"]}),
        ("account_key_delete", account, {"path.name": ids["spare_account_key"]}),
        (
            "organizations_list|organization_(create|detail|update|keys?_.+)|account_keys?_.+",
            account,
            {},
        ),
    ]


def _config(live: LiveDemo) -> str:
    ids = live.ids
    shared = {
        "path.resource_id": ids["resource"],
        "path.type_id": ids["type"],
        "path.customer_id": ids["customer"],
        "path.booking_id": ids["booking"],
        "path.organization_id": live.organization_id,
        "query.resourceId": ids["resource"],
        "query.type": ids["type"],
        "query.refreshToken": live.refresh_token,
        "query.url": f"{live.base_url}/{live.slug}/",
        "body.type": ids["type"],
        "body.resourceId": ids["resource"],
    }
    lines = ["[phases.coverage]", "unexpected-methods = []", "", "[parameters]"]
    lines += [f"{_value(k)} = {_value(v)}" for k, v in shared.items()]
    for operation_ids, headers, parameters in _sections(live):
        lines += ["", "[[operations]]", f'include-operation-id-regex = "^({operation_ids})$"']
        if headers:
            lines.append(f"headers = {_value(headers)}")
        if parameters:
            lines.append("[operations.parameters]")
            lines += [f"{_value(k)} = {_value(v)}" for k, v in parameters.items()]
    # Twins of operations covered in full (the same body read by the same code) get more
    # generated cases instead of the coverage phase's hundreds.
    lines += ["", "[[operations]]", f'include-operation-id-regex = "^({TWINS})$"']
    lines += ["[operations.generation]", f"max-examples = {TWIN_EXAMPLES}"]
    lines += ["[operations.phases.coverage]", "enabled = false"]
    return "\n".join(lines) + "\n"


def _command(live: LiveDemo, config: Path, shard: tuple[str, str], report: Path) -> list[str]:
    return [
        str(ST),
        "--config-file",
        str(config),
        "run",
        f"{live.base_url}/api/openapi.json",
        *shard,
        "--header",
        f"X-APP-ID: {live.app_id}",
        "--header",
        f"Authorization: Bearer {live.organization_key}",
        "--checks",
        ",".join(CHECKS),
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-database",
        "none",
        # The credentials are given above; generating others only repeats the same answers.
        "--generation-with-security-parameters",
        "false",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]


def _run(live: LiveDemo, folder: Path) -> list[tuple[str, int, Path]]:
    """The halves side by side: each run's output, exit status and JUnit report."""
    config = folder / "schemathesis.toml"
    config.write_text(_config(live), encoding="utf-8")
    started = []
    try:
        for number, shard in enumerate(SHARDS):
            report = folder / f"junit-{number}.xml"
            output = folder / f"output-{number}.txt"
            with output.open("w", encoding="utf-8") as sink:
                command = _command(live, config, shard, report)
                process = subprocess.Popen(
                    command, stdout=sink, stderr=subprocess.STDOUT, cwd=folder
                )
            started.append((process, output, report))
        for process, _output, _report in started:
            process.wait(timeout=TIME_LIMIT)
    finally:
        for process, _output, _report in started:
            if process.poll() is None:  # overran (the wait raised): stopped
                process.kill()
                process.wait()
    return [
        (output.read_text(encoding="utf-8"), p.returncode, report) for p, output, report in started
    ]


def _operations_tested(report: Path) -> set[str]:
    """Each operation the run reports on, as "GET /api/..."."""
    if not report.exists():
        return set()
    return {
        case.get("name", "")
        for case in ET.parse(report).getroot().iter("testcase")
        if case.get("name", "").startswith(("GET ", "POST ", "PUT ", "DELETE "))
    }


def _summary(output: str) -> str:
    """Schemathesis's failures and summary: what a failing run shows."""
    for heading in ("=== FAILURES ===", "=== ERRORS ===", "=== SUMMARY ==="):
        start = output.find(heading)
        if start >= 0:
            return output[output.rfind("\n", 0, start) + 1 :]
    return output[-6000:]


def test_every_operation_answers_as_described(live_demo, tmp_path):
    with urllib.request.urlopen(f"{live_demo.base_url}/api/openapi.json") as answer:
        described = {
            f"{method.upper()} {path}"
            for path, methods in json.load(answer)["paths"].items()
            for method in methods
        }

    runs = _run(live_demo, tmp_path)

    found = [re.search(r"(\d+) generated", output) for output, _code, _report in runs]
    cases = sum(int(match.group(1)) for match in found if match)
    tested = set().union(*(_operations_tested(report) for _output, _code, report in runs))
    print(f"Schemathesis: {cases} test cases over {len(tested)} operations, seed {SEED}")
    failed = [_summary(output) for output, code, _report in runs if code != 0]
    if failed:
        pytest.fail("\n\n".join(failed), pytrace=False)
    assert tested == described
    assert cases > 2000
