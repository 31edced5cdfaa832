"""``/v1/graphql``: the Wallaroo SDK's GraphQL operations, schema-first with ariadne.

``route`` (the HTTP endpoint) is imported by the app only: the schema, resolvers and
filters need no web server.
"""
