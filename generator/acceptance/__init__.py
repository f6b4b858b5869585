"""Customers accepting the agreement online: the acceptance service, its storage (SQLite or
PostgreSQL), the Merkle log every event is a leaf of, signed receipts and their offline check.

A user room: it imports content/ and the shared engines; only cli/ imports it.
"""
