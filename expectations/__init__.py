"""Validation as code and data: GX suites for the curated tables, and the arithmetic rules.

These modules say what is checked; the flow decides what a failure does.
"""
