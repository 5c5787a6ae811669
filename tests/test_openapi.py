"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI 3 and says what the API does:
every operation lists the statuses it answers with, and every answer fits the documented schema
of its status (nullable fields included). Edge bodies and bodies schemathesis generates (fixed
seed, few examples) go to POST /api/v1/reviews in-process; a case is worked through the rest."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from openapi_spec_validator import validate as validate_spec
from schemathesis import checks

from app.auth import tokens
from app.plaintext import trimmed
from app.rules.schema import uscc_check_char
from tests.materials.conftest import SAMPLES, open_office

METHODS = ("get", "post", "put", "patch", "delete")
TASK = "/api/v1/tasks/{task_id}"
CASE = "/api/v1/cases/{number}"
REVIEWS = "/api/v1/reviews"

# What each operation answers with (README, "The API in brief"); `default` stands for the rest
# (405, 500, ...).
STATUSES = {
    ("get", "/api/v1/reviews"): {200, 401, 403, 422},
    ("post", "/api/v1/reviews"): {200, 201, 207, 400, 401, 403, 413, 415, 422},
    ("get", "/api/v1/tasks"): {200, 401, 403, 422},
    ("get", TASK): {200, 401, 403, 404},
    ("post", f"{TASK}/claim"): {200, 400, 401, 403, 404, 409, 415},
    ("post", f"{TASK}/unclaim"): {200, 400, 401, 403, 404, 409, 415},
    ("post", f"{TASK}/reassign"): {200, 400, 401, 403, 404, 409, 415, 422},
    ("post", f"{TASK}/complete"): {200, 400, 401, 403, 404, 409, 415, 422, 503},
    ("get", CASE): {200, 401, 403, 404},
    ("get", f"{CASE}/attachments"): {200, 401, 403, 404},
    ("post", f"{CASE}/attachments"): {201, 400, 401, 403, 404, 413, 415, 422},
    ("get", f"{CASE}/attachments/{{attachment_id}}"): {200, 206, 304, 401, 403, 404, 410, 416},
    ("get", f"{CASE}/comments"): {200, 401, 403, 404},
    ("post", f"{CASE}/comments"): {201, 400, 401, 403, 404, 415, 422},
    ("post", f"{CASE}/reveal-phone"): {200, 400, 401, 403, 404, 415},
}


@pytest.fixture()
def spec(client) -> dict:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.json


class Document:
    """Checks a test client's response against the document."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    def resolve(self, item: dict) -> dict:
        while "$ref" in item:
            node = self.spec
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def problems(self, instance, schema: dict) -> list[str]:
        root = {"allOf": [schema], "components": self.spec["components"]}
        validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
        return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(instance))

    def check(self, method: str, path: str, resp) -> None:
        """`resp` (to `method` `path`, a path template) has a documented status, content type,
        body and headers."""
        where = f"{method.upper()} {path} → {resp.status_code}"
        responses = self.spec["paths"][path][method]["responses"]
        assert str(resp.status_code) in responses, f"{where}: status not documented"
        documented = self.resolve(responses[str(resp.status_code)])
        for name, header in documented.get("headers", {}).items():
            header = self.resolve(header)
            if "content" in header and name in resp.headers:
                [media] = header["content"].values()
                value = json.loads(resp.headers[name])
                assert not self.problems(value, media["schema"]), (where, name, value)
        if "content" not in documented:
            assert not resp.data, f"{where}: a body where none is documented"
            return
        media = documented["content"].get(resp.mimetype)
        assert media is not None, f"{where}: {resp.mimetype} is not documented"
        if resp.mimetype == "application/json":
            problems = self.problems(resp.json, media["schema"])
            assert not problems, f"{where}: {problems}\n{resp.json}"


@pytest.fixture()
def document(spec) -> Document:
    return Document(spec)


# -- the document itself ------------------------------------------------------------------

def test_document_is_valid_openapi_3(spec):
    validate_spec(spec)  # raises on the first error (Swagger 2's `in: formData` was one)
    assert spec["openapi"].startswith("3.0")


def test_every_operation_documents_the_statuses_it_answers_with(spec):
    documented = {(method, path): {int(s) for s in op["responses"] if s != "default"}
                  for path, ops in spec["paths"].items()
                  for method, op in ops.items() if method in METHODS}
    assert documented == STATUSES


def test_errors_are_documented_as_the_json_error(spec, document):
    error = {"$ref": "#/components/schemas/Error"}
    for (method, path), statuses in STATUSES.items():
        responses = spec["paths"][path][method]["responses"]
        for status in statuses:
            if status < 400 or (method, path, status) == ("post", REVIEWS, 422):
                continue  # the intake's 422 may also be a batch's results
            schema = document.resolve(responses[str(status)])["content"]["application/json"]
            assert schema["schema"] == error, (method, path, status)
    unauthorized = spec["paths"]["/api/v1/reviews"]["post"]["responses"]["401"]
    assert "WWW-Authenticate" in unauthorized["headers"]


def test_upload_is_one_multipart_body(spec):
    """The file and its form fields: one multipart/form-data body (no Swagger 2 formData)."""
    operation = spec["paths"][f"{CASE}/attachments"]["post"]
    assert "parameters" not in operation or all(
        p["in"] in ("path", "query", "header", "cookie") for p in operation["parameters"])
    [(content_type, media)] = operation["requestBody"]["content"].items()
    assert content_type == "multipart/form-data"
    body = spec["components"]["schemas"][media["schema"]["$ref"].rsplit("/", 1)[1]]
    assert body["properties"]["file"] == {
        "type": "string", "format": "binary", "description": body["properties"]["file"][
            "description"]}
    assert body["required"] == ["file"] and {"task_id", "description"} <= set(body["properties"])


def test_batch_size_comes_from_the_config(spec, app):
    batch = spec["components"]["schemas"]["ReviewBatch"]
    assert (batch["minItems"], batch["maxItems"]) == (1, app.config["INTAKE_BATCH_MAX"])


def test_fields_that_can_be_null_are_nullable(spec):
    schemas = spec["components"]["schemas"]
    review = schemas["ReviewOut"]["properties"]
    for name in ("item_code", "item_impl_code", "item_name", "department_code", "staff_no",
                 "reviewer_name", "reviewer_phone", "reviewer_cert_no", "text", "case_number"):
        assert review[name].get("nullable") is True, name
    for name in ("serial_no", "level", "region_code", "rated_at"):
        assert "nullable" not in review[name], name
    assert schemas["TaskOut"]["properties"]["claimed_at"]["nullable"] is True
    assert schemas["CaseDetail"]["properties"]["closed_at"]["nullable"] is True


def test_the_task_listings_queue_is_documented_with_its_values(spec):
    """GET /api/v1/tasks?queue=…: the inbox's queues and watch lists (超期预警, 超期督办)."""
    params = {p["name"]: p for p in spec["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    queue = params["queue"]
    assert queue["in"] == "query" and not queue.get("required")
    assert {"dispatch", "revisit", "warned", "escalated"} <= set(queue["schema"]["enum"])
    assert "超期督办" in queue["description"] and "422" in queue["description"]
    assert "default" not in params["view"]["schema"]  # mine, or department for a watch list


def test_pagination_header_is_json(spec):
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header and list(header["content"]) == ["application/json"]


# -- the answers fit the document -------------------------------------------------------

def test_intake_answers_fit_the_document(client, document, auth, rating, bad_rating, app):
    minimal = {k: v for k, v in rating().items()
               if k in ("serial_no", "rated_object", "channel", "level", "rated_at",
                        "region_code")}
    good, bad = rating(), bad_rating(reviewer_phone=None)
    too_many = [{}] * (app.config["INTAKE_BATCH_MAX"] + 1)
    sent = [
        (201, {"json": minimal}, auth),  # every optional field null in the answer
        (200, {"json": minimal}, auth),  # the duplicate
        (201, {"json": bad}, auth),
        (200, {"json": [good, rating()]}, auth),
        (207, {"json": [rating(), {"serial_no": "x"}]}, auth),
        (422, {"json": [{}]}, auth),
        (422, {"json": []}, auth),
        (422, {"json": too_many}, auth),
        (422, {"json": {}}, auth),
        (422, {"json": "a rating"}, auth),
        (415, {"data": "serial_no=1", "content_type": "text/plain"}, auth),
        (400, {"data": '{"serial_no": ', "content_type": "application/json"}, auth),
        (401, {"json": good}, {}),
    ]
    for status, body, headers in sent:
        resp = client.post(REVIEWS, headers=headers, **body)
        assert resp.status_code == status, (body, resp.json)
        document.check("post", REVIEWS, resp)
    created = client.post(REVIEWS, json=minimal, headers=auth).json["review"]
    assert created["item_code"] is None and created["reviewer_name"] is None
    for query, status in (("", 200), ("?bad=true&page=1&page_size=1", 200), ("?bda=1", 422)):
        resp = client.get(REVIEWS + query, headers=auth)
        assert resp.status_code == status
        document.check("get", REVIEWS, resp)


def test_case_work_answers_fit_the_document(client, document, bad_rating):
    office = open_office(client, bad_rating)
    channel = {"Authorization": f"Bearer {tokens.create('another-channel')}"}
    number = office.number
    task_id = office.open_task("contact")["task_id"]
    case, task = f"/api/v1/cases/{number}", f"/api/v1/tasks/{task_id}"
    png = {"file": (BytesIO(SAMPLES["png"]), "截图.png"), "description": "截图"}
    text = {"file": (BytesIO(b"just text"), "notes.png")}
    sent = [
        ("get", CASE, case, "root", {}, 200),
        ("get", CASE, case, "outsider", {}, 403),
        ("get", CASE, "/api/v1/cases/CP-20000101-000001", "root", {}, 404),
        ("get", CASE, case, None, {}, 401),
        ("get", "/api/v1/tasks", "/api/v1/tasks?view=group", "worker", {}, 200),
        ("get", "/api/v1/tasks", "/api/v1/tasks?view=done", "worker", {}, 200),
        ("get", "/api/v1/tasks", "/api/v1/tasks?view=nope", "worker", {}, 422),
        ("get", "/api/v1/tasks", "/api/v1/tasks?queue=escalated", "agency", {}, 200),
        ("get", "/api/v1/tasks", "/api/v1/tasks?queue=warned&view=group", "hotline", {}, 200),
        ("get", "/api/v1/tasks", "/api/v1/tasks?queue=warned", "agency", {}, 422),
        ("get", "/api/v1/tasks", "/api/v1/tasks?queue=nope", "hotline", {}, 422),
        ("get", "/api/v1/tasks", "/api/v1/tasks", "channel", {}, 403),
        ("get", TASK, task, "worker", {}, 200),
        ("get", TASK, "/api/v1/tasks/nope", "worker", {}, 404),
        ("post", f"{TASK}/claim", f"{task}/claim", "worker", {}, 200),
        ("post", f"{TASK}/claim", f"{task}/claim", "colleague", {}, 409),
        ("post", f"{TASK}/claim", f"{task}/claim", "worker",
         {"data": "x", "content_type": "text/plain"}, 415),
        ("post", f"{TASK}/unclaim", f"{task}/unclaim", "colleague", {}, 403),
        ("post", f"{TASK}/reassign", f"{task}/reassign", "boss",
         {"json": {"username": "nobody"}}, 422),
        ("post", f"{TASK}/reassign", f"{task}/reassign", "worker",
         {"json": {"username": "colleague"}}, 403),
        ("post", f"{TASK}/reassign", f"{task}/reassign", "boss",
         {"json": {"username": "worker"}}, 200),
        ("post", f"{TASK}/complete", f"{task}/complete", "worker", {"json": {"data": {}}}, 422),
        ("post", f"{TASK}/complete", f"{task}/complete", "worker",
         {"data": "{", "content_type": "application/json"}, 400),
        ("get", TASK, task, "worker", {}, 200),  # claimed: assignee and claimed_at set
        ("post", f"{CASE}/comments", f"{case}/comments", "worker", {"json": {"text": "已联系"}},
         201),
        ("post", f"{CASE}/comments", f"{case}/comments", "worker", {"json": {"text": " "}}, 422),
        ("get", f"{CASE}/comments", f"{case}/comments", "worker", {}, 200),
        ("post", f"{CASE}/attachments", f"{case}/attachments", "worker", {"data": png}, 201),
        ("post", f"{CASE}/attachments", f"{case}/attachments", "worker", {"data": text}, 415),
        ("post", f"{CASE}/attachments", f"{case}/attachments", "worker",
         {"data": {"description": "无文件"}, "content_type": "multipart/form-data"}, 422),
        ("get", f"{CASE}/attachments", f"{case}/attachments", "worker", {}, 200),
        ("get", f"{CASE}/attachments/{{attachment_id}}", f"{case}/attachments/999999", "worker",
         {}, 404),
        ("post", f"{CASE}/reveal-phone", f"{case}/reveal-phone", "outsider", {}, 403),
        ("post", f"{CASE}/reveal-phone", f"{case}/reveal-phone", "worker", {}, 200),
    ]
    for method, template, path, who, body, status in sent:
        headers = channel if who == "channel" else office.headers.get(who, {})
        resp = getattr(client, method)(path, headers=headers, **body)
        assert resp.status_code == status, (method, path, who, resp.json)
        document.check(method, template, resp)
    [attachment] = office.get("worker", f"{case}/attachments").json
    resp = office.get("worker", attachment["download_url"])
    assert resp.status_code == 200
    document.check("get", f"{CASE}/attachments/{{attachment_id}}", resp)
    detail = office.case()
    assert detail["closed_at"] is None and detail["tasks"][0]["deadline"]["due_at"]


def test_nul_in_a_path_or_a_filter_is_refused_not_a_server_error(client, document, bad_rating):
    """PostgreSQL takes no NUL in text: a NUL in a case number, a task id or a text filter is
    404 or 422 (as any control character in text), never a 500."""
    office = open_office(client, bad_rating)
    case = f"/api/v1/cases/{office.number}"
    task = f"/api/v1/tasks/{office.open_task('contact')['task_id']}"
    sent = [
        ("get", CASE, "/api/v1/cases/%00", {}, 404),
        ("get", f"{CASE}/comments", "/api/v1/cases/CP-%00/comments", {}, 404),
        ("get", TASK, "/api/v1/tasks/%00", {}, 404),
        ("get", "/api/v1/tasks", "/api/v1/tasks?case_number=%00", {}, 422),
        ("get", "/api/v1/tasks", "/api/v1/tasks?step=%00", {}, 422),
        ("post", f"{TASK}/reassign", f"{task}/reassign", {"json": {"username": "\x00"}}, 422),
        ("post", f"{CASE}/comments", f"{case}/comments",
         {"json": {"text": "备注", "task_id": "\x00"}}, 422),
        ("post", f"{CASE}/attachments", f"{case}/attachments", {"data": {
            "file": (BytesIO(SAMPLES["png"]), "a.png"), "task_id": "\x00"}}, 422),
    ]
    for method, template, path, body, status in sent:
        resp = getattr(client, method)(path, headers=office.headers["boss"], **body)
        assert resp.status_code == status, (path, resp.json)
        document.check(method, template, resp)
    channel = {"Authorization": f"Bearer {tokens.create('another-channel')}"}
    resp = client.get(f"{REVIEWS}?serial_no=%00", headers=channel)
    assert resp.status_code == 422 and "U+0000" in resp.json["errors"]["query"]["serial_no"][0]


# -- generated bodies (schemathesis, in-process) ------------------------------------------

CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_headers_conformance,
          checks.response_schema_conformance]
# Deterministic and quick: a fixed derivation of examples, few of them, nothing stored.
GENERATED = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                     phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=list(HealthCheck))


@pytest.fixture()
def api_schema(app_ctx):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_ctx)


def test_generated_intake_bodies_get_documented_answers(api_schema, auth):
    """Whatever fits the request schema gets a documented status and a body that fits it
    (accepted or not: rules JSON Schema cannot say, such as a bad rating's reason, refuse
    some with 422 or 207)."""
    seen: set[int] = set()

    @GENERATED
    @given(case=api_schema[REVIEWS]["POST"].as_strategy())
    def post(case):
        seen.add(case.call_and_validate(headers=auth, checks=CHECKS).status_code)

    post()
    assert seen <= {200, 201, 207, 422} and seen


def test_generated_valid_ratings_are_stored(api_schema, auth):
    """Generated ratings made to keep those rules are stored (201, or 200 for a batch or a
    duplicate), and the answer fits the document: the optional fields they leave out come back
    null."""
    seen: set[int] = set()

    @GENERATED
    @given(case=api_schema[REVIEWS]["POST"].as_strategy())
    def post(case):
        case.body = [_kept(item) for item in case.body] if isinstance(case.body, list) \
            else _kept(case.body)
        response = case.call(headers=auth)
        assert response.status_code in (200, 201), (case.body, response.json())
        case.validate_response(response, checks=CHECKS)
        seen.add(response.status_code)

    post()
    assert seen == {200, 201}


def test_generated_listing_queries_get_documented_answers(api_schema, auth, client, rating):
    client.post(REVIEWS, json=[rating(), rating(text=None, item_code=None)], headers=auth)

    @GENERATED
    @given(case=api_schema[REVIEWS]["GET"].as_strategy())
    def get(case):
        case.call_and_validate(headers=auth, checks=CHECKS)

    get()


def _kept(item: dict) -> dict:
    """A generated rating changed to keep the rules JSON Schema does not state: a level by
    name, a past rating time, a bad rating's reason, a follow-up rating of `overall`, a named
    staff member, a department's name, a code's check character, a phone number."""
    item = dict(item)
    item.pop("level_code", None), item.pop("level_scheme", None)
    item.setdefault("level", "满意")
    item["rated_at"] = "2026-03-02T10:15:00+08:00"
    if item["level"] in ("不满意", "非常不满意"):
        item["is_default"] = False
        if not (item.get("tags") or (item.get("text") or "").strip()):
            item["tags"] = ["等候时间长"]
    if item.get("rating_count") == 2:
        item["rated_object"] = "overall"
    if item["rated_object"] == "staff" and _blank(item.get("staff_no")) \
            and _blank(item.get("staff_name")):
        item["staff_name"] = "张三"
    for code in ("department_code", "staff_unit_code"):  # its check character (校验位)
        if item.get(code):
            item[code] = item[code][:17] + uscc_check_char(item[code][:17])
    if item.get("department_code") and _blank(item.get("department_name")):
        item["department_name"] = "某部门"
    if item.get("reviewer_phone") is not None:  # a phone number's rules are no pattern
        item["reviewer_phone"] = "13812345678"
    return item


def _blank(value: str | None) -> bool:
    """Left out by intake: none, or nothing but spaces and invisible characters."""
    return not trimmed(value or "")


def test_intake_summary_gives_the_batch_limit_as_a_number(spec, app):
    summary = spec["paths"][REVIEWS]["post"]["summary"]
    assert f"{app.config['INTAKE_BATCH_MAX']:,}" in summary
    assert "INTAKE_BATCH_MAX" not in summary and "{" not in summary
