"""Parse workers: raw files, batches, the local pool, Dask, their guards."""
