"""The API describes itself: every route in /api/openapi.json, and a readable page."""

from __future__ import annotations

import json

import jsonschema_rs

from webapp.api.openapi import build_spec

COMPONENTS = "#/components/schemas/"


def test_every_api_route_is_described(app):
    with app.test_request_context():
        spec = build_spec(app)

    assert spec["openapi"] == "3.1.0"
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and rule.endpoint not in {"api.docs", "api.openapi_json"}
    }
    described = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    assert {r for r in routes if "<" not in r} <= described


def test_the_description_is_served_without_an_app_id(client):
    answer = client.get("/api/openapi.json")

    assert answer.status_code == 200
    spec = answer.get_json()
    assert spec["paths"]["/api/auth/otp/request"]["post"]["summary"] == "Request Otp"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_lists_the_operations(client):
    page = client.get("/api/docs").get_data(as_text=True)

    assert "<code>/api/auth/otp/verify</code> — Verify Otp" in page
    assert 'id="schema-Tokens"' in page
    assert "cdn" not in page.lower()


def _validator(spec: dict, schema: dict):
    """A validator of ``schema`` with the description's components reachable."""
    local = "#/$defs/"
    defs = json.loads(json.dumps(spec["components"]["schemas"]).replace(COMPONENTS, local))
    schema = json.loads(json.dumps(schema).replace(COMPONENTS, local))
    return jsonschema_rs.Draft202012Validator({**schema, "$defs": defs}, validate_formats=True)


def test_every_example_is_what_its_schema_describes(app):
    with app.test_request_context():
        spec = build_spec(app)
    checked, wrong = 0, []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            bodies = [
                (f"{status} answer", response["content"]["application/json"])
                for status, response in operation["responses"].items()
                if status.startswith("2")
            ]
            if "requestBody" in operation:
                bodies.append(("body", operation["requestBody"]["content"]["application/json"]))
            for what, content in bodies:
                if "example" not in content:
                    continue
                checked += 1
                for problem in _validator(spec, content["schema"]).iter_errors(content["example"]):
                    wrong.append(f"{method} {path} {what}: {problem.instance_path} {problem}")

    assert not wrong
    assert checked > 100


def test_every_operation_says_what_it_is(app):
    with app.test_request_context():
        spec = build_spec(app)
    groups = {tag["name"] for tag in spec["tags"]}
    operations = [op for methods in spec["paths"].values() for op in methods.values()]

    assert len({op["operationId"] for op in operations}) == len(operations)
    for op in operations:
        assert op["summary"] and set(op["tags"]) <= groups, op["operationId"]
        assert any(status.startswith("2") for status in op["responses"]), op["operationId"]
