"""What people read: the report view, safe text, the audit site, exports, check."""
