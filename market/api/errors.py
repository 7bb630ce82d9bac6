"""Every API failure is JSON `{"error": {"code", "message", "fields"}}`: never an HTML page.

Handlers are registered on the API blueprint (ahead of the site's HTML pages); requests that
match no API route at all (wrong path or method under /api/v1) are answered by a hook, since
Flask hands routing errors to app-wide handlers.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from market import outbox
from market.errors import DomainError, NotFound, PermissionDenied

log = logging.getLogger(__name__)

# HTTP status -> error code. Statuses with no code of their own are malformed requests.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "validation_error",
    500: "server_error",
}
HANDLED_STATUSES = (400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 429, 500)


class ApiError(Exception):
    """A request the API refuses, with its HTTP status and a message in the user's language."""

    def __init__(
        self,
        status: int,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(str(message))
        self.status = status
        self.message = str(message)
        self.fields = fields or {}
        self.headers = headers or {}


def unauthorized(message: str | None = None) -> ApiError:
    return ApiError(
        401,
        message or _("请提供有效的 API 令牌（Authorization: Bearer <令牌>）。"),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def json_response(body, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Chinese as is (not \\u escapes), so it reads well in a terminal too."""
    text = current_app.json.dumps(body, ensure_ascii=False, sort_keys=False)
    response = current_app.response_class(text, status=status, mimetype="application/json")
    response.headers.extend(headers or {})
    return response


def error_response(
    status: int,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"code": CODES.get(status, "bad_request"), "message": str(message)}
    body["fields"] = {name: str(text) for name, text in (fields or {}).items()}
    return json_response({"error": body}, status, headers)


def from_domain_error(error: DomainError) -> Response:
    """Map the services' errors: field errors are 422; other refusals are state conflicts."""
    if isinstance(error, PermissionDenied):
        return error_response(403, error.message)
    if isinstance(error, NotFound):
        return error_response(404, error.message)
    if error.errors:
        return error_response(422, error.message, error.errors)
    return error_response(409, error.message)


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(status, _http_message(status), headers=headers)


def _http_message(status: int) -> str:
    messages = {
        400: _("请求无效。"),
        401: _("请提供有效的 API 令牌（Authorization: Bearer <令牌>）。"),
        403: _("您没有权限进行此操作。"),
        404: _("接口或资源不存在。"),
        405: _("不支持该请求方式。"),
        413: _("提交的内容过大。"),
        415: _("请以 JSON 格式提交（Content-Type: application/json）。"),
        500: _("服务器出错，请稍后再试。"),
    }
    return messages.get(status, _("请求无效。"))


def register_error_handlers(bp: Blueprint, prefix: str) -> None:
    """JSON for every error raised in the API's views and for unmatched API paths."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        outbox.rollback()
        return error_response(error.status, error.message, error.fields, error.headers)

    @bp.errorhandler(DomainError)
    def domain_error(error: DomainError):
        outbox.rollback()
        return from_domain_error(error)

    @bp.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        log.exception("API request %s %s failed", request.method, request.path)
        outbox.rollback()
        return error_response(500, _http_message(500))

    # The site registers HTML pages per status code, which Flask prefers to a blueprint's
    # handler for a base class: register the statuses here too.
    for status in HANDLED_STATUSES:
        bp.register_error_handler(status, unexpected)

    @bp.before_app_request
    def unmatched_api_path():
        routing_error = request.routing_exception
        if not request.path.startswith(prefix) or routing_error is None:
            return None
        if isinstance(routing_error, HTTPException) and routing_error.code in (404, 405):
            return from_http_exception(routing_error)
        return None
