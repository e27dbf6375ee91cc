"""Synthetic reports and crawls with known cells, for the round-trip tests and the benchmarks.

The generators write their layouts themselves, from the spec and real documents, never from the
parser's data, so a round trip catches a mistake in it.
"""
