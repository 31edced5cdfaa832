"""``/v1/graphql``: the Wallaroo SDK's GraphQL operations, schema-first with ariadne."""

from __future__ import annotations

from airflow_wallaroo.api.graphql.route import router

__all__ = ["router"]
