"""The control plane: CloudWatch datapoints and alarms, Application Auto Scaling policies."""
