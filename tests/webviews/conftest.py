from tests.admin.conftest import clinic, other_clinic, staff, owner, nocsrf  # noqa: F401
