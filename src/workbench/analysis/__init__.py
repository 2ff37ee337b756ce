"""Analyses: one module (or subpackage) per step of the method.

Each takes DataFrames and plain values and returns DataFrames with fixed columns;
none reads a file or the parameters, and none draws (see ``workbench.plotting``).
"""
