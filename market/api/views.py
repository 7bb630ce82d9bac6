"""API v1 at /api/v1: adapters from JSON to the same services the web pages call.

Each view reads its input, checks who is calling, calls one service and commits; permission
rules and visibility tiers live in the services, so the API and the pages cannot disagree.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, request, url_for
from flask_babel import gettext as _

from market import outbox
from market.accounts.models import COUNTIES
from market.agreements.services import get_agreement_for, submit_agreement
from market.api import inputs, serialize, services
from market.api.auth import load_token_user, require_user, viewer
from market.api.errors import json_response, register_error_handlers
from market.api.openapi import (
    AGREEMENT_INPUT,
    COLLECTIONS,
    DECLINE_INPUT,
    DOCKING_INPUT,
    build_document,
    input_schema,
)
from market.dockings import services as dockings
from market.dockings.models import Docking, DockingStatus
from market.errors import NotFound, PermissionDenied
from market.extensions import csrf, db
from market.matching.services import matches_for
from market.postings import services as postings
from market.postings.models import Posting, PostingKind

PREFIX = "/api/v1"
COLLECTION = "<any(" + ",".join(f'"{name}"' for name in COLLECTIONS) + "):collection>"
POSTING_ID = "<int:posting_id>"
DOCKING_ID = "<int:docking_id>"
AGREEMENT_ID = "<int:agreement_id>"
SUBMISSION_KEY_MAX = 64

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # bearer tokens only: the session cookie never authenticates (see api.auth)
bp.before_request(load_token_user)
register_error_handlers(bp, PREFIX)


@bp.url_value_preprocessor
def ids_in_range(_endpoint, values) -> None:
    """An id beyond the database's integers names nothing: 404 (PostgreSQL would fail)."""
    for name, value in (values or {}).items():
        if name.endswith("_id") and inputs.object_id(value) is None:
            raise NotFound(_("信息不存在。"))


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did (then publish its tasks), or roll it all back."""
    try:
        yield
    except Exception:
        outbox.rollback()
        raise
    outbox.commit()


def created(body: dict, location: str):
    return json_response(body, 201, {"Location": location})


@bp.get("/openapi.json")
def openapi_document():
    return json_response(build_document())


@bp.get("/me")
def me():
    return json_response(serialize.user(require_user()))


# Postings -------------------------------------------------------------------------------


@bp.get(f"/{COLLECTION}")
def list_postings(collection: str):
    kind, who = COLLECTIONS[collection], viewer()
    filters = inputs.posting_filters(request.args, kind, who)
    page = inputs.page_args(request.args)
    rows, total = services.list_postings(who, kind, filters, page)
    return json_response(serialize.page([serialize.posting(who, p) for p in rows], page, total))


@bp.post(f"/{COLLECTION}")
def create_posting(collection: str):
    kind, user = COLLECTIONS[collection], require_user()
    if user.role != postings.POSTER_ROLES[kind]:  # before reading the body: say the real reason
        raise PermissionDenied(_("您的账号类型不能发布此类信息。"))
    data = _posting_input(kind, partial=False)
    with unit_of_work():
        posting = postings.submit_posting(user, kind, data)
    location = url_for(".get_posting", collection=collection, posting_id=posting.id)
    return created(serialize.posting(user, posting), location)


@bp.get(f"/{COLLECTION}/{POSTING_ID}")
def get_posting(collection: str, posting_id: int):
    who = viewer()
    return json_response(serialize.posting(who, _posting(collection, who, posting_id)))


@bp.patch(f"/{COLLECTION}/{POSTING_ID}")
def update_posting(collection: str, posting_id: int):
    user = require_user()
    posting = _posting(collection, user, posting_id)
    if not postings.is_owner(user, posting):
        raise PermissionDenied(_("只能修改本单位发布的信息。"))
    data = _posting_input(posting.kind, partial=True)
    with unit_of_work():
        posting = postings.update_posting(user, posting.id, data)
    return json_response(serialize.posting(user, posting))


@bp.get(f"/{COLLECTION}/{POSTING_ID}/matches")
def posting_matches(collection: str, posting_id: int):
    user = require_user()
    posting = _posting(collection, user, posting_id)
    if not (postings.is_owner(user, posting) or user.is_bureau):
        raise PermissionDenied(_("只有发布单位和科技局可以查看匹配结果。"))
    page = inputs.page_args(request.args)
    pairs, total = services.page_of(matches_for(posting), page)
    items = [serialize.match(user, match, other) for match, other in pairs]
    return json_response(serialize.page(items, page, total))


def _posting(collection: str, who, posting_id: int) -> Posting:
    """The posting if this caller may see it and it belongs to this collection, else 404."""
    posting = postings.get_visible_posting(who, posting_id)
    if posting.kind != COLLECTIONS[collection]:
        raise NotFound(_("信息不存在。"))
    return posting


def _posting_input(kind: PostingKind, *, partial: bool) -> dict:
    data = inputs.json_body()
    inputs.check_types(data, input_schema(kind, partial=partial)["properties"])
    return data


# 对接 ------------------------------------------------------------------------------------


@bp.get("/dockings")
def list_dockings():
    user = require_user()
    status = inputs.choice_arg(request.args, "status", [s.value for s in DockingStatus])
    page = inputs.page_args(request.args)
    query = dockings.dockings_query(user, DockingStatus(status) if status else None)
    items, total = services.paginate(query, page)
    return json_response(serialize.page([serialize.docking(user, d) for d in items], page, total))


@bp.post("/dockings")
def request_docking():
    user = require_user()
    data = inputs.json_body()
    inputs.check_types(data, DOCKING_INPUT["properties"])
    demand, supply = _docking_pair(user, data)
    with unit_of_work():
        docking = dockings.request_docking(user, demand.id, supply.id, data.get("message") or "")
    location = url_for(".get_docking", docking_id=docking.id)
    return created(serialize.docking(user, docking), location)


@bp.get(f"/dockings/{DOCKING_ID}")
def get_docking(docking_id: int):
    user = require_user()
    docking = db.session.get(Docking, docking_id)
    if docking is None or not dockings.can_view_docking(user, docking):
        raise NotFound(_("对接不存在。"))
    return json_response(serialize.docking(user, docking))


@bp.post(f"/dockings/{DOCKING_ID}/accept")
def accept_docking(docking_id: int):
    user = require_user()
    with unit_of_work():
        docking = dockings.accept_docking(user, docking_id)
    return json_response(serialize.docking(user, docking))


@bp.post(f"/dockings/{DOCKING_ID}/decline")
def decline_docking(docking_id: int):
    user = require_user()
    data = inputs.json_body()
    inputs.check_types(data, DECLINE_INPUT["properties"])
    with unit_of_work():
        docking = dockings.decline_docking(
            user, docking_id, data.get("outcome"), data.get("comment") or ""
        )
    return json_response(serialize.docking(user, docking))


def _docking_pair(user, data: dict) -> tuple[Posting, Posting]:
    """The demand and supply named in the body, each visible to the caller and of its side."""
    errors: dict[str, str] = {}
    demand = _visible_posting_field(user, data, "demand_id", errors)
    supply = _visible_posting_field(user, data, "supply_id", errors)
    if demand is not None and not demand.is_demand:
        errors["demand_id"] = _("应为技术需求或人才需求的编号。")
    if supply is not None and supply.is_demand:
        errors["supply_id"] = _("应为科技成果、专家或仪器设备的编号。")
    if len(data.get("message") or "") > dockings.MESSAGE_MAX:
        errors["message"] = _("留言不能超过 %(n)d 个字。", n=dockings.MESSAGE_MAX)
    if errors:
        raise inputs.invalid(errors)
    return demand, supply


def _visible_posting_field(user, data: dict, name: str, errors: dict) -> Posting | None:
    posting_id = inputs.object_id(data.get(name))
    if posting_id is None:
        errors[name] = _("请填写信息编号。")
        return None
    try:
        return postings.get_visible_posting(user, posting_id)
    except NotFound as error:
        errors[name] = error.message
        return None


# Agreements -----------------------------------------------------------------------------


@bp.get("/agreements")
def list_agreements():
    user = require_user()
    year = inputs.year_arg(request.args)
    county = inputs.choice_arg(request.args, "county", COUNTIES)
    page = inputs.page_args(request.args)
    items, total = services.paginate(services.visible_agreements(user, year, county), page)
    return json_response(serialize.page([serialize.agreement(a) for a in items], page, total))


@bp.post("/agreements")
def create_agreement():
    user = require_user()
    if not user.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以登记合同。"))
    data = inputs.json_body()
    inputs.check_types(data, AGREEMENT_INPUT["properties"])
    fields = _agreement_fields(data)
    earlier = services.agreement_by_key(fields["submission_key"])
    if earlier is not None:  # the same submission sent again: it was recorded once
        return json_response(serialize.agreement(earlier))
    with unit_of_work():
        agreement = submit_agreement(user, fields)
    location = url_for(".get_agreement", agreement_id=agreement.id)
    return created(serialize.agreement(agreement), location)


@bp.get(f"/agreements/{AGREEMENT_ID}")
def get_agreement(agreement_id: int):
    user = require_user()
    return json_response(serialize.agreement(get_agreement_for(user, agreement_id)))


def _agreement_fields(data: dict) -> dict:
    """The body as `submit_agreement` takes it: a date object, a submission key."""
    errors: dict[str, str] = {}
    key = data.get("submission_key") or f"api-{secrets.token_urlsafe(16)}"
    if len(key) > SUBMISSION_KEY_MAX:
        errors["submission_key"] = _("不能超过 %(n)d 个字符。", n=SUBMISSION_KEY_MAX)
    signed_on = inputs.parse_date(data.get("signed_on"), "signed_on", errors)
    if errors:
        raise inputs.invalid(errors)
    return {**data, "signed_on": signed_on, "submission_key": key}
