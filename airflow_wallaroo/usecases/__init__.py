"""What spans resources: creating a task and publishing it, kill, deleting orchestrations with
their tasks, receiving an upload, healing after a crash.

A use case commits once, and only then performs its effects outside the database (spec
files, parse requests, triggers, background cleanup); each effect is idempotent and healed
by reconcile or the start-up steps if a crash cuts it short.
"""
