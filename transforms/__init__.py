"""Pure parsing and reshaping: bytes or text in, records and DataFrames out.

Nothing here imports Prefect or Great Expectations or knows where ``data/`` lives.
"""
