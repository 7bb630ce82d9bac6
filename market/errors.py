"""Domain errors that views turn into messages, and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _


class DomainError(Exception):
    """A request that cannot be carried out; its message is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = errors or {}


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


def register_error_handlers(app: Flask) -> None:
    """Show errors as pages in Chinese, or as JSON for API clients."""

    def render(status: int, message: str):
        if request.accept_mimetypes.best == "application/json":
            return {"error": message}, status
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render(error.status_code, error.message)

    for status, message in (
        (400, lambda: _("请求无效。")),
        (403, lambda: _("您没有权限访问此页面。")),
        (404, lambda: _("页面不存在。")),
        (405, lambda: _("不支持该请求方式。")),
        (413, lambda: _("提交的内容过大。")),
        (500, lambda: _("服务器出错，请稍后再试。")),
    ):
        app.register_error_handler(status, lambda e, s=status, m=message: render(s, m()))
