"""Shared fixtures: a small city, people in it, and staff with scoped roles.

The cast follows the healthchecks habit: `alice` is the liaison of district A (the owner of
the data in most tests), `bob` is the city-wide programme admin, `charlie` is the liaison of
district B and must never see district A.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.keystore import keyring
from sunflower.lib.validators import id_check_code
from sunflower.orgs.models import Person, Unit, UnitType

PASSWORD = "Test-Pass-2026"  # noqa: S105 (test accounts only)
CHROMIUM = os.environ.get("SUNFLOWER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    """Read the master keys again and forget cached data keys around every test: rows of
    earlier tests were rolled back or flushed (a cached key outliving its row fails once the
    cache entry expires, or in a subprocess), and some tests change the master key settings."""
    keyring.reload_master_keys()
    yield
    keyring.reload_master_keys()


@pytest.fixture(autouse=True, scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files (lesson media) go to a temporary directory, never to var/."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def make_id_number(serial: int, birth: str = "19850312", region: str = "371602") -> str:
    """A checksum-valid fictional ID number; odd serials are male."""
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + id_check_code(first17)


@dataclass
class City:
    city: Unit
    district_a: Unit
    town_a1: Unit
    district_b: Unit


@pytest.fixture
def city(db: None) -> City:
    root = Unit.objects.create(code="370000", name="滨海市", unit_type=UnitType.PARTY_GOVERNMENT)
    district_a = Unit.objects.create(
        code="370100", name="东港区", unit_type=UnitType.PARTY_GOVERNMENT, parent=root
    )
    town_a1 = Unit.objects.create(
        code="370101", name="东港区海滨街道", unit_type=UnitType.TOWN_STREET, parent=district_a
    )
    district_b = Unit.objects.create(
        code="370200", name="西湖区", unit_type=UnitType.PARTY_GOVERNMENT, parent=root
    )
    return City(city=root, district_a=district_a, town_a1=town_a1, district_b=district_b)


_serials = iter(range(1, 10**6))


@pytest.fixture
def make_person(city: City) -> Callable[..., Person]:
    def make(unit: Unit | None = None, **fields: Any) -> Person:
        serial = next(_serials)
        number = fields.pop("id_number", None) or make_id_number(serial)
        defaults: dict[str, Any] = {
            "name": f"测试{serial}",
            "gender": "M" if int(number[16]) % 2 else "F",
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            "mobile": f"139{serial:08d}",
            "unit": unit or city.town_a1,
        }
        defaults.update(fields)
        person = Person(id_number=number, **defaults)
        person.save()
        return person

    return make


@functools.cache
def password_hash() -> str:
    """Argon2 is slow by design: hash the shared test password once per process."""
    return make_password(PASSWORD)


def make_user(username: str, *grants: tuple[str, Unit], person: Person | None = None) -> User:
    user = User(username=username, display_name=username.title(), person=person)
    user.password = password_hash()
    user.save()
    for role, unit in grants:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def alice(city: City) -> User:
    return make_user("alice", (Role.LIAISON, city.district_a))


@pytest.fixture
def bob(city: City) -> User:
    return make_user("bob", (Role.PROGRAMME_ADMIN, city.city))


@pytest.fixture
def charlie(city: City) -> User:
    return make_user("charlie", (Role.LIAISON, city.district_b))


@pytest.fixture
def cadre(make_person: Callable[..., Person]) -> User:
    person = make_person(name="王小明", mobile="13800000001")
    return make_user("cadre", person=person)


def totp_code(device: Any, at: float | None = None) -> str:
    """The authenticator's code for *device*, now or at time *at*; a step after the last one
    the device accepted, so that two logins within 30 seconds both work."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if at is None and totp.t() <= device.last_t:
        # t() counts the device's drift in: aim at the step after the last one used.
        totp.time = device.t0 + (device.last_t + 1 - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_device(user: User) -> Any:
    """The user's confirmed authenticator, created if they have none."""
    from sunflower.accounts.otp import AuthenticatorDevice

    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    return device or AuthenticatorDevice.objects.create(user=user, name="test", confirmed=True)


def verified_login(client: Client, user: User) -> Client:
    """Log *client* in as *user* with the second factor passed, as a real login with a TOTP
    code leaves the session (force_login alone leaves staff unverified)."""
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from sunflower.accounts.middleware import SESSION_SEEN, SESSION_STARTED

    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_STARTED] = session[SESSION_SEEN] = timezone.now().timestamp()
    session.save()
    return client


def plain_login(client: Client, user: User) -> Client:
    """Log *client* in as *user* as the login page would, without a second factor."""
    from django.utils import timezone

    from sunflower.accounts.middleware import SESSION_SEEN, SESSION_STARTED

    client.force_login(user)
    session = client.session
    session[SESSION_STARTED] = session[SESSION_SEEN] = timezone.now().timestamp()
    session.save()
    return client


def reauthenticate(client: Client, user: User, next_url: str = "/") -> Any:
    """Pass the sudo page: the password and, for accounts with an authenticator, a code."""
    from django.urls import reverse

    from sunflower.accounts.otp import AuthenticatorDevice

    data = {"password": PASSWORD, "next": next_url}
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        data["otp_token"] = totp_code(device)
    return client.post(reverse("accounts:sudo"), data)


def confirmed(user: User) -> Client:
    """A client logged in as *user* that has just re-authenticated (sudo mode): the password
    and, for accounts with an authenticator, a code."""
    client = logged_in(user)
    response = reauthenticate(client, user)
    assert response.status_code == 302
    return client


def logged_in(user: User) -> Client:
    """A client logged in as *user*: staff with the second factor passed, cadres without."""
    client = Client()
    if user.is_staff_member:
        return verified_login(client, user)
    return plain_login(client, user)


# Browser tests -------------------------------------------------------------------------


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """The whole app (pages and WebSockets) served by uvicorn in this process, as the embedded
    `sunflower serve` does; pytest-django's live_server speaks HTTP only. Requests run against
    the test database; the in-memory channel layer works because every request, and so every
    alert sent after a commit, runs in this server's event loop."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        "sunflower.asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ASGI test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not _chromium_available():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: browser tests are mandatory in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized page (iPhone-class viewport, touch, Chinese locale)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """A desktop page for staff consoles."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def browser_login(
    page: Any, base_url: str, login: str, password: str = PASSWORD, *, second_factor: bool = True
) -> None:
    """Log in through the login page and, where asked, the second-factor page with a code
    from the user's authenticator (staff get one made for them first)."""
    from sunflower.accounts.backends import find_user

    user = find_user(login)
    if second_factor and user is not None and user.is_staff_member:
        totp_device(user)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("手机号或工号").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    if second_factor and user is not None and "/accounts/mfa/verify/" in page.url:
        device = totp_device(user)
        page.get_by_label("验证码").fill(totp_code(device))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state("networkidle")
