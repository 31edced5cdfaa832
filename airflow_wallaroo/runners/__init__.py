"""Runners: how a generated DAG's one task runs the user code (local subprocess, or a pod)."""
