"""The dataset: versioned store, storage (folder or bucket), lock, views, query sandbox, publish."""
