"""Compute: the ECS service and its tasks, the EC2 cluster under it, and Lambda's environments."""
