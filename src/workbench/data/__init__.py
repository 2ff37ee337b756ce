"""Data: reading the client's files, normalising them to the contract and keeping the row ledger."""

from workbench.data.dataset import Dataset, load_dataset

__all__ = ["Dataset", "load_dataset"]
