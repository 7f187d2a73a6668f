"""Access logs in: ALB access logs and Common/Combined Log Format, read in one streaming pass."""

from tinysim.logs.files import log_files
from tinysim.logs.read import LogFormat, LogSummary, read_logs

__all__ = ["LogFormat", "LogSummary", "log_files", "read_logs"]
