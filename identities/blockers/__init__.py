"""The blockers engine: what stops an identity sending from a region, and why.

Pure modules (types, rules, texts, engine) read plain states; `states` adapts ORM rows to
them and `flags` keeps the stored per-row blocking flag.
"""
