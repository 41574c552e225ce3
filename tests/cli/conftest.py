"""The `jobfleet` command's tests run the installed command against real services: the
integration fixtures that start them, shared per module."""

from tests.integration.conftest import module_services

__all__ = ["module_services"]
