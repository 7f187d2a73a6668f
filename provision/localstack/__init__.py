"""LocalStack on this machine: installed into its own virtualenv, run as a host process (no Docker),
with the providers package that serves ECS, ECR, ELBv2 and friends from LocalStack's moto backends."""
