"""Web pages of the agreements service under /ui: server-rendered (Jinja2), Vietnamese first."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """The pages' routes, their static files, and HTML error pages for /ui; call after the
    API's routers and problem handlers are in place (errors elsewhere stay JSON)."""
    from services.agreements.ui.pages import install_error_pages, mount_static
    from services.agreements.ui.routes import router

    app.include_router(router)
    mount_static(app)
    install_error_pages(app)
