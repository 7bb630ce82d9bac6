"""Paths to pages, buildable in a web request and in a worker alike."""

from flask import current_app


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of an endpoint (no request or SERVER_NAME needed)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)
