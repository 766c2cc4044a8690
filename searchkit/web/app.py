"""The Starlette application: routes, security headers, templates and error pages in one place.

``create_app(location)`` serves the archive at ``location`` through the
backend-neutral API only. Every error of the ``SearchkitError`` family
becomes its HTTP status (``web.errors``) with the CLI's message, as JSON
under ``/api/`` and as a page elsewhere; anything else is logged on the
server's stderr and answered with a plain message, never a stack trace.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from searchkit.errors import SearchkitError
from searchkit.web import api, pages
from searchkit.web.archives import Archives
from searchkit.web.errors import status_for, title_for
from searchkit.web.records import cut_segments, format_date, safe

HERE = Path(__file__).resolve().parent

# No inline script or style, nothing from another origin, no plugins, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the original site never learns what was searched here
    (b"x-frame-options", b"DENY"),
]

_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def is_web_url(value) -> bool:
    """Whether ``value`` may be a link: http(s) only, so ``javascript:`` stays text.

    >>> is_web_url("https://blog.example.fr/a"), is_web_url("javascript:alert(1)"), is_web_url(" http://x")
    (True, False, False)
    """
    return isinstance(value, str) and _WEB_URL.fullmatch(value) is not None


def _visible(value):
    """Every ``{{ }}`` value: archived control characters shown as ``\\x1b``, before escaping."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return safe(value)
    return "" if value is None else value


def snippet_html(segments, limit: int = 360) -> Markup:
    """Snippet segments as HTML, every text escaped, the matches in ``<mark>``."""
    parts = []
    for text, is_match in cut_segments(segments, limit):
        escaped = Markup.escape(safe(text))
        parts.append(Markup("<mark>{}</mark>").format(escaped) if is_match else escaped)
    return Markup("").join(parts)


def make_templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "svg"], default=True),
                      finalize=_visible, trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = format_date
    env.filters["snippet"] = snippet_html
    env.tests["web_url"] = is_web_url
    return env


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response, errors included."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def error_response(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates: Environment = request.app.state.templates
    html = templates.get_template("error.html").render(status=status, title=title_for(status), message=message)
    return HTMLResponse(html, status_code=status)


async def on_searchkit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SearchkitError)
    return error_response(request, status_for(exc), str(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: f"no page at {request.url.path}", 405: f"{request.method} is not allowed here"}
    return error_response(request, exc.status_code, message.get(exc.status_code, exc.detail))


async def on_crash(request: Request, exc: Exception) -> Response:
    # Starlette re-raises the error after this answer: the server logs its trace on stderr, only there.
    return error_response(request, 500, "the server failed to answer this request; its log says why")


def create_app(location: str | Path, archives: Archives | None = None) -> SecurityHeaders:
    """The web application over the archive at ``location`` (an index folder or URL).

    ``archives``: a pool already opened on it (``serve`` opens one first, to report a missing
    index at once and answer the first request warm).

    The security headers wrap the whole application, so even a 500 answer carries them.
    """
    routes = [
        Route("/", pages.search_page),
        Route("/search", pages.search_page),
        Route("/timeline", pages.timeline_page),
        Route("/doc/{doc_id}", pages.document_page),
        Route("/export.csv", pages.export_csv),
        Route("/export.jsonl", pages.export_jsonl),
        Route("/api/search", api.search),
        Route("/api/search/grouped", api.search_grouped),
        Route("/api/count", api.count),
        Route("/api/doc/{doc_id}", api.document),
        Route("/api/thread/{doc_id}", api.thread),
        Route("/api/stats", api.stats),
        Route("/api/openapi.json", api.openapi),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        SearchkitError: on_searchkit_error,
        HTTPException: on_http_error,
        Exception: on_crash,
    })
    app.state.archives = archives or Archives(str(location))
    app.state.templates = make_templates()
    return SecurityHeaders(app)
