"""The Wallaroo view in Airflow's UI, and ``/v1/docs`` with Swagger UI served locally.

Both are pages of the ``/v1`` app: the view is plain HTML and JavaScript that calls
``/v1/api`` with the browser's Airflow login cookie, so it needs no build step and no
login of its own. Airflow shows it in its navigation through the plugin's
``external_views`` (an iframe at ``/plugin/wallaroo``).
"""

from __future__ import annotations

#: Registered by the plugin: the navigation entry, and the API docs in the Docs menu.
EXTERNAL_VIEWS = [
    {
        "name": "Wallaroo",
        "href": "/v1/ui/",
        "url_route": "wallaroo",
        "destination": "nav",
        "nav_top_level": True,
        "icon": "/v1/ui/static/wallaroo.svg",
    },
    {"name": "Wallaroo API", "href": "/v1/docs", "category": "docs"},
]
