"""The GraphQL schema the Wallaroo SDK's workspace, orchestration and task code queries.

Schema-first (ariadne): the SDL below names types, fields and arguments the way Wallaroo's
Hasura-generated schema does, because the SDK (``gql`` with ``fetch_schema_from_transport``)
downloads this schema by introspection and validates every document against it before
sending it. Only what the SDK's own operations use is declared; ``docs/sdk-compat.md``
lists them. Workspaces here hold no models or pipelines, so those lists are always empty.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ariadne import ScalarType, gql, make_executable_schema
from graphql import GraphQLSchema

TYPE_DEFS = gql(
    '''
    schema {
      query: query_root
      mutation: mutation_root
    }

    "A 64-bit integer id (Hasura's bigint)."
    scalar bigint
    "A UUID as its canonical string."
    scalar uuid
    "RFC 3339 time with an explicit UTC offset."
    scalar timestamptz

    enum order_by {
      asc
      asc_nulls_first
      asc_nulls_last
      desc
      desc_nulls_first
      desc_nulls_last
    }

    input String_comparison_exp {
      _eq: String
      _neq: String
      _in: [String!]
      _nin: [String!]
      _is_null: Boolean
    }

    input bigint_comparison_exp {
      _eq: bigint
      _neq: bigint
      _in: [bigint!]
      _nin: [bigint!]
      _is_null: Boolean
    }

    input Boolean_comparison_exp {
      _eq: Boolean
      _neq: Boolean
      _is_null: Boolean
    }

    type query_root {
      "The caller's workspaces, filtered by where."
      workspace(where: workspace_bool_exp): [workspace!]!
      "One workspace the caller is a member of."
      workspace_by_pk(id: bigint!): workspace
      "The caller's default workspace (created on their first call)."
      user_default_workspace(where: user_default_workspace_bool_exp): [user_default_workspace!]!
      "One orchestration of the caller's workspaces."
      orchestration_by_pk(id: uuid!): orchestration
    }

    type mutation_root {
      """
      Create a workspace owned by the caller. With user_default_workspaces in the object
      (the SDK's CreateDefaultUserWorkspace), answer the caller's default workspace.
      """
      insert_workspace_one(object: workspace_insert_input!, on_conflict: workspace_on_conflict): workspace
      "Remove users from workspaces the caller owns (never a workspace's last owner)."
      delete_workspace_users(where: workspace_users_bool_exp!): workspace_users_mutation_response
    }

    type workspace {
      id: bigint!
      name: String!
      created_at: timestamptz!
      created_by: String!
      archived: Boolean!
      users: [workspace_users!]!
      models(order_by: [models_order_by!]): [models!]!
      pipelines(order_by: [pipeline_order_by!]): [pipeline!]!
    }

    input workspace_bool_exp {
      _and: [workspace_bool_exp!]
      _or: [workspace_bool_exp!]
      _not: workspace_bool_exp
      id: bigint_comparison_exp
      name: String_comparison_exp
      created_by: String_comparison_exp
      archived: Boolean_comparison_exp
    }

    type workspace_users {
      user_id: String!
      user_type: String!
      workspace_id: bigint!
    }

    input workspace_users_bool_exp {
      _and: [workspace_users_bool_exp!]
      _or: [workspace_users_bool_exp!]
      _not: workspace_users_bool_exp
      user_id: String_comparison_exp
      user_type: String_comparison_exp
      workspace_id: bigint_comparison_exp
    }

    type workspace_users_mutation_response {
      affected_rows: Int!
    }

    type user_default_workspace {
      user_id: String!
      workspace_id: bigint!
      workspace: workspace!
    }

    input user_default_workspace_bool_exp {
      _and: [user_default_workspace_bool_exp!]
      _or: [user_default_workspace_bool_exp!]
      _not: user_default_workspace_bool_exp
      user_id: String_comparison_exp
      workspace_id: bigint_comparison_exp
    }

    "A model (name) of a workspace; none exist on this server."
    type models {
      id: bigint!
      name: String!
      updated_at: timestamptz!
      models: [model!]!
    }

    input models_order_by {
      id: order_by
      name: order_by
      updated_at: order_by
    }

    "A model version; none exist on this server."
    type model {
      id: bigint!
    }

    "A pipeline of a workspace; none exist on this server."
    type pipeline {
      id: bigint!
    }

    input pipeline_order_by {
      id: order_by
    }

    input workspace_insert_input {
      name: String
      archived: Boolean
      created_by: String
      owner_id: String
      users: workspace_users_arr_rel_insert_input
      user_default_workspaces: user_default_workspace_arr_rel_insert_input
    }

    input workspace_users_arr_rel_insert_input {
      data: [workspace_users_insert_input!]!
    }

    input workspace_users_insert_input {
      user_id: String
      user_type: String
      workspace_id: bigint
    }

    input user_default_workspace_arr_rel_insert_input {
      data: [user_default_workspace_insert_input!]!
    }

    input user_default_workspace_insert_input {
      user_id: String
      workspace_id: bigint
    }

    enum workspace_constraint {
      workspace_name_key
      workspace_pkey
    }

    enum workspace_update_column {
      archived
      created_at
      created_by
      id
      name
      owner_id
    }

    input workspace_on_conflict {
      constraint: workspace_constraint!
      update_columns: [workspace_update_column!]! = []
      where: workspace_bool_exp
    }

    type orchestration {
      id: uuid!
      name: String
      file_name: String!
      file_size: bigint!
      sha: String!
      status: String!
      "The id of its packaging run."
      task_id: uuid
      owner_id: String!
      created_by: String
      workspace_id: bigint!
      workspace: workspace!
      image_path: String
      "The Wallaroo release that created it: null, this server is not one."
      created_on_version: String
      created_at: timestamptz!
      updated_at: timestamptz!
    }
    '''
)


def _serialize_time(value: datetime) -> str:
    if value.tzinfo is None:  # stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _parse_bigint(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"bigint: expected an integer, got {value!r}")
    return int(value)


def _parse_uuid(value: object) -> str:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"uuid: {value!r} is not a UUID") from None


bigint = ScalarType("bigint", serializer=int, value_parser=_parse_bigint)
uuid_scalar = ScalarType("uuid", serializer=str, value_parser=_parse_uuid)
timestamptz = ScalarType("timestamptz", serializer=_serialize_time)


def build_schema() -> GraphQLSchema:
    """The executable schema: SDL plus the resolvers of :mod:`.resolvers`."""
    from airflow_wallaroo.api.graphql.resolvers import BINDABLES

    return make_executable_schema(TYPE_DEFS, bigint, uuid_scalar, timestamptz, *BINDABLES)
