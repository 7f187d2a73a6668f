"""Traces in: the files teams have (tables, CloudWatch exports, access logs) as a regular trace of
counts per interval, with holes and time columns handled as the scenario says."""

from tinysim.tracefiles.load import load_trace, read_raw, trace_notes
from tinysim.tracefiles.series import MISSING_CHOICES, RawSeries, Trace, regularize
from tinysim.tracefiles.sniff import FORMATS, sniff_format

__all__ = [
    "FORMATS",
    "MISSING_CHOICES",
    "RawSeries",
    "Trace",
    "load_trace",
    "read_raw",
    "regularize",
    "sniff_format",
    "trace_notes",
]
