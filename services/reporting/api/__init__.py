"""HTTP interface of the reporting service."""
