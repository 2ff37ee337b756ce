"""Reporting: number formatting, notebook display helpers, metrics, the run summary and the HTML pages."""
