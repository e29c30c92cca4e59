"""The Django admin carries the product's name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_says_sesops(admin_client_role):
    html = admin_client_role.get("/admin/").content.decode()
    assert "sesops administration" in html
    assert "Django administration" not in html
