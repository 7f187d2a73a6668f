"""The dashboard's apply test uses the same LocalStack fixture as the provisioning tests."""

from tests.provision.conftest import localstack

__all__ = ["localstack"]
