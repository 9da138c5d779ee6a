"""Local web dashboard and HTTP API (FastAPI; imported only when serving).

Start it with ``somatosim serve`` or build the application with :func:`create_app`.
"""

from somatosim.web.app import ApiError, Limits, create_app

__all__ = ["ApiError", "Limits", "create_app"]
