"""Signing in through the login page, as a person would, and codes from a simulated
authenticator app."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.accounts.models import User
from pathmark.accounts.services import _replace_backup_codes
from pathmark.testing import PASSWORD


def sign_in(user: User, *, client: Client | None = None, password: str = PASSWORD, **extra):  # type: ignore[no-untyped-def]
    """Signs in through the login page, as a person would; returns (client, response)."""
    client = client or Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": password}, **extra
    )
    return client, response


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or `steps_ahead` periods later, which the
    device still accepts within its tolerance: each code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def give_authenticator(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, _replace_backup_codes(user)
