"""Routes of the ``/v1`` app that serve pages, not data: the Wallaroo view and the API docs."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
#: Swagger UI's own files (swagger-ui-dist 5), as the pinned fastapi-offline wheel ships them.
SWAGGER_STATIC = Path(str(files("fastapi_offline") / "static"))


def mount_pages(app: FastAPI) -> None:
    """Add ``/ui/`` (the view), ``/docs`` and ``/redoc`` (from local files, no CDN) to ``app``.

    ``app`` must be built with ``docs_url=None, redoc_url=None``; its paths are relative to where Airflow
    mounts it (``/v1``), which each page reads from the request's ``root_path``.
    """
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="wallaroo-ui-static")
    app.mount("/docs/static", StaticFiles(directory=SWAGGER_STATIC), name="swagger-ui-static")

    @app.get("/ui", include_in_schema=False)
    def ui_without_slash(request: Request) -> RedirectResponse:
        # The page's relative links (static/, ../api/) need the trailing slash.
        return RedirectResponse(f"{_root(request)}/ui/", status_code=308)

    @app.get("/ui/", include_in_schema=False)
    def ui_page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}/docs/static/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/static/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/static/favicon.png",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}/docs/static/redoc.standalone.js",
            redoc_favicon_url=f"{root}/docs/static/favicon.png",
            with_google_fonts=False,
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
