from tests.admin.conftest import clinic, nocsrf, other_clinic, owner, staff  # noqa: F401
